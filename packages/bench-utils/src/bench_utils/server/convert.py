"""Turn an OpenAI chat request into ``InferenceRequest`` rows (one per choice, ``n``).

The conversation keeps its turns and the place of every image, so the
model's chat template renders it as the client wrote it. Decoding images is
CPU work: callers run this off the event loop.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from model_interface import ChatPart, ChatTurn, InferenceRequest, InvalidRequestError
from model_interface.images import to_pil

if TYPE_CHECKING:
    from bench_utils.server.schemas import ChatCompletionRequest, ChatMessage
    from bench_utils.server.settings import ServerSettings
    from model_interface import GenerationParams


class PayloadTooLargeError(InvalidRequestError):
    """An image or body is larger than the server accepts (HTTP 413)."""


def decode_data_uri(url: str, max_bytes: int) -> bytes:
    """Bytes of a base64 ``data:image/...`` URI; other URLs are refused (the server is offline)."""
    if not url.startswith("data:"):
        raise InvalidRequestError("only data: URIs are accepted for image_url (no network fetches)")
    header, _, payload = url.partition(",")
    if ";base64" not in header:
        raise InvalidRequestError("image data URI must be base64-encoded")
    if len(payload) * 3 // 4 > max_bytes:
        raise PayloadTooLargeError(f"image exceeds the limit of {max_bytes} bytes")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequestError(f"image data URI is not valid base64: {exc}") from exc


def check_image(data: bytes, settings: ServerSettings) -> Any:
    """Decode image bytes once, refusing oversize, bombs or undecodable ones with a clear message.

    Returns the RGB PIL image, which the request carries on so the adapter
    does not decode the same bytes again.
    """
    from PIL import Image

    if len(data) > settings.max_image_bytes:
        raise PayloadTooLargeError(
            f"image of {len(data)} bytes exceeds the limit of {settings.max_image_bytes}"
        )
    try:
        return to_pil(data, max_pixels=settings.max_image_pixels)
    except Image.DecompressionBombError as exc:  # PIL refuses before allocating anything
        raise PayloadTooLargeError(
            f"image exceeds the limit of {settings.max_image_pixels} pixels ({exc})"
        ) from exc
    except InvalidRequestError as exc:
        if "exceeds the limit" in str(exc):
            raise PayloadTooLargeError(str(exc)) from exc
        raise


def _turn(message: ChatMessage, settings: ServerSettings) -> ChatTurn:
    role = "system" if message.role == "developer" else message.role
    contents = message.content if isinstance(message.content, list) else [message.content or ""]
    parts: list[ChatPart] = []
    for part in contents:
        if isinstance(part, str):
            parts.append(ChatPart(type="text", text=part))
        elif part.type == "text":
            parts.append(ChatPart(type="text", text=part.text or ""))
        elif part.image_url is not None:
            if role != "user":
                raise InvalidRequestError("images are only accepted in user messages")
            data = decode_data_uri(part.image_url.url, settings.max_image_bytes)
            parts.append(ChatPart(type="image", image=check_image(data, settings)))
        else:
            raise InvalidRequestError("image_url part without an image_url object")
    return ChatTurn(role=role, parts=parts)


def generation_params(
    chat: ChatCompletionRequest, settings: ServerSettings, defaults: GenerationParams
) -> GenerationParams:
    """The request's params over the model's defaults, checked against the server's limits."""
    params = defaults.merged(chat.generation_overrides())
    if params.max_new_tokens > settings.max_new_tokens_limit:
        raise InvalidRequestError(
            f"max_tokens exceeds the limit of {settings.max_new_tokens_limit}"
        )
    return params


def to_inference_requests(
    request_id: str,
    chat: ChatCompletionRequest,
    settings: ServerSettings,
    defaults: GenerationParams,
) -> list[InferenceRequest]:
    """One request per choice (``n``); with a seed, choice ``i`` samples with ``seed + i``."""
    params = generation_params(chat, settings, defaults)
    turns = [_turn(message, settings) for message in chat.messages]
    images = sum(1 for turn in turns for part in turn.parts if part.type == "image")
    if images > settings.max_images_per_request:
        raise InvalidRequestError(f"at most {settings.max_images_per_request} images per request")
    if not any(turn.role == "user" for turn in turns):
        raise InvalidRequestError("messages must contain at least one user message")
    requests = []
    for index in range(chat.n):
        seeded = params
        if params.seed is not None and index:
            seeded = params.model_copy(update={"seed": (params.seed + index) % 2**63})
        requests.append(
            InferenceRequest(
                id=f"{request_id}-{index}",
                messages=turns,
                params=seeded,
                model=chat.model,
            )
        )
    return requests
