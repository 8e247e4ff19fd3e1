"""The OpenAI-compatible API wrapper around a loaded adapter (needs ``bench-utils[serve]``)."""
