"""Build the chat messages a Qwen VL chat template expects from an ``InferenceRequest``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model_interface import InferenceRequest


def chat_messages(
    request: InferenceRequest, default_system_prompt: str | None
) -> list[dict[str, Any]]:
    """System prompt (request's, else the config's), then one user turn: images, then text."""
    messages: list[dict[str, Any]] = []
    system_prompt = (
        request.system_prompt if request.system_prompt is not None else default_system_prompt
    )
    if system_prompt:
        messages.append({"role": "system", "content": [{"type": "text", "text": system_prompt}]})
    content: list[dict[str, Any]] = [{"type": "image"} for _ in request.images]
    content.append({"type": "text", "text": request.prompt})
    messages.append({"role": "user", "content": content})
    return messages
