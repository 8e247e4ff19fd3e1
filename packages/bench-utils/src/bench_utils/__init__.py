"""bench-utils: the hyperbench runner, metrics and the OpenAI-compatible API wrapper."""

__all__: list[str] = []
