"""Performance metrics (vLLM benchmark definitions) and answer-quality metrics."""
