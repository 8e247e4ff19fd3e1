"""Build the chat messages a Qwen VL chat template expects from an ``InferenceRequest``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model_interface import InferenceRequest


def _system(text: str) -> dict[str, Any]:
    return {"role": "system", "content": [{"type": "text", "text": text}]}


def chat_messages(
    request: InferenceRequest, default_system_prompt: str | None
) -> list[dict[str, Any]]:
    """The conversation for the chat template.

    With ``request.messages``: every turn in order, images where the client
    placed them, and the config's system prompt first when the conversation
    has none. Otherwise: the system prompt (request's, else the config's),
    then one user turn of images, then text.
    """
    if request.messages is not None:
        messages = [
            {
                "role": turn.role,
                "content": [
                    {"type": "image"}
                    if part.type == "image"
                    else {"type": "text", "text": part.text}
                    for part in turn.parts
                ],
            }
            for turn in request.messages
        ]
        if default_system_prompt and not any(turn.role == "system" for turn in request.messages):
            messages.insert(0, _system(default_system_prompt))
        return messages
    result: list[dict[str, Any]] = []
    system_prompt = (
        request.system_prompt if request.system_prompt is not None else default_system_prompt
    )
    if system_prompt:
        result.append(_system(system_prompt))
    content: list[dict[str, Any]] = [{"type": "image"} for _ in request.images]
    content.append({"type": "text", "text": request.prompt})
    result.append({"role": "user", "content": content})
    return result
