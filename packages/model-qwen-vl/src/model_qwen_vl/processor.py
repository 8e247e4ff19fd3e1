"""Load a Qwen VL processor, falling back to an image-only processor without torchvision.

The stock Qwen VL processors also build a video processor, which needs
torchvision. The benchmark only sends images, so when the stock path fails
for that reason we build the same processor class without its video part,
from the same files.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model_qwen_vl.families import QwenFamily

logger = logging.getLogger(__name__)


def image_only_processor_class(family: QwenFamily) -> Any:
    """Return a subclass of the family's processor that has no video processor."""
    import transformers

    base = getattr(transformers, family.processor_class)

    def __init__(
        self: Any,
        image_processor: Any = None,
        tokenizer: Any = None,
        chat_template: Any = None,
        **kwargs: Any,
    ) -> None:
        base.__init__(
            self,
            image_processor=image_processor,
            tokenizer=tokenizer,
            video_processor=None,
            chat_template=chat_template,
            **kwargs,
        )

    return type(f"ImageOnly{family.processor_class}", (base,), {"__init__": __init__})


def _is_processor(obj: Any) -> bool:
    from transformers import ProcessorMixin

    return isinstance(obj, ProcessorMixin) and hasattr(obj, "image_processor")


def load_processor(
    path: str,
    family: QwenFamily,
    *,
    min_pixels: int | None = None,
    max_pixels: int | None = None,
    trust_remote_code: bool = False,
) -> Any:
    """Load the processor stored at ``path`` (local dir or hub id), left-padding for batches."""
    from transformers import AutoProcessor

    try:
        processor = AutoProcessor.from_pretrained(path, trust_remote_code=trust_remote_code)
        if not _is_processor(processor):
            raise TypeError(f"AutoProcessor returned {type(processor).__name__}, not a processor")
    except (OSError, ImportError, TypeError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        logger.info("stock processor unavailable (%s); using the image-only processor", reason)
        processor = image_only_processor_class(family).from_pretrained(path)
    set_pixel_bounds(processor.image_processor, min_pixels, max_pixels)
    processor.tokenizer.padding_side = "left"
    return processor


def set_pixel_bounds(image_processor: Any, min_pixels: int | None, max_pixels: int | None) -> None:
    """Apply the config's min/max pixels to the image processor (they bound visual tokens)."""
    size = dict(getattr(image_processor, "size", None) or {})
    if min_pixels is not None:
        size["shortest_edge"] = min_pixels
        if hasattr(image_processor, "min_pixels"):
            image_processor.min_pixels = min_pixels
    if max_pixels is not None:
        size["longest_edge"] = max_pixels
        if hasattr(image_processor, "max_pixels"):
            image_processor.max_pixels = max_pixels
    if size:
        image_processor.size = size
