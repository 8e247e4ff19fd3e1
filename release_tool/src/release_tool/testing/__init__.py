"""Test and benchmark support shipped with the tool: the sandbox workspace factory."""
