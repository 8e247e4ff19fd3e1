"""Turn an OpenAI chat request into an ``InferenceRequest`` (prompt, system prompt, images)."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from model_interface import InferenceRequest, InvalidRequestError
from model_interface.images import to_pil

if TYPE_CHECKING:
    from bench_utils.server.schemas import ChatCompletionRequest
    from bench_utils.server.settings import ServerSettings
    from model_interface import GenerationParams


class PayloadTooLargeError(InvalidRequestError):
    """An image is larger than the server accepts (HTTP 413)."""


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
    """Decode image bytes once, refusing oversize or undecodable ones with a clear message.

    Returns the RGB PIL image, which the request carries on so the adapter
    does not decode the same bytes again.
    """
    if len(data) > settings.max_image_bytes:
        raise PayloadTooLargeError(
            f"image of {len(data)} bytes exceeds the limit of {settings.max_image_bytes}"
        )
    try:
        return to_pil(data, max_pixels=settings.max_image_pixels)
    except InvalidRequestError as exc:
        if "exceeds the limit" in str(exc):
            raise PayloadTooLargeError(str(exc)) from exc
        raise


def to_inference_request(
    request_id: str,
    chat: ChatCompletionRequest,
    settings: ServerSettings,
    defaults: GenerationParams,
) -> InferenceRequest:
    """System/developer messages become the system prompt; the other turns' text the prompt."""
    system: list[str] = []
    prompt: list[str] = []
    images: list[Any] = []
    for message in chat.messages:
        parts = message.content if isinstance(message.content, list) else [message.content or ""]
        texts: list[str] = []
        for part in parts:
            if isinstance(part, str):
                texts.append(part)
            elif part.type == "text":
                texts.append(part.text or "")
            elif part.image_url is not None:
                if message.role != "user":
                    raise InvalidRequestError("images are only accepted in user messages")
                images.append(
                    check_image(
                        decode_data_uri(part.image_url.url, settings.max_image_bytes), settings
                    )
                )
            else:
                raise InvalidRequestError("image_url part without an image_url object")
        (system if message.role in ("system", "developer") else prompt).append("".join(texts))
    if len(images) > settings.max_images_per_request:
        raise InvalidRequestError(f"at most {settings.max_images_per_request} images per request")
    params = defaults.merged(chat.generation_overrides())
    if params.max_new_tokens > settings.max_new_tokens_limit:
        raise InvalidRequestError(
            f"max_tokens exceeds the limit of {settings.max_new_tokens_limit}"
        )
    return InferenceRequest(
        id=request_id,
        prompt="\n".join(p for p in prompt if p),
        images=images,
        system_prompt="\n".join(system) if system else None,
        params=params,
    )
