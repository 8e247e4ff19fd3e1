"""The model adapter ABC every backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self

from model_interface.errors import AdapterNotLoadedError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from model_interface.config import ModelConfig
    from model_interface.types import InferenceRequest, InferenceResponse, TokenEvent


class ModelAdapter(ABC):
    """Loads one model and answers inference requests.

    Subclasses set ``name`` (the registry key), ``backend`` (``hf`` or
    ``vllm``) and ``families`` (model families they can load). Heavy
    libraries are imported inside ``load()``, never at module import, so the
    registry can list adapters without torch installed.
    """

    name: ClassVar[str]
    backend: ClassVar[str]
    families: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self._loaded = False

    @property
    def loaded(self) -> bool:
        """True between a successful ``load()`` and ``close()``."""
        return self._loaded

    def require_loaded(self) -> None:
        """Raise ``AdapterNotLoadedError`` unless the model is loaded."""
        if not self._loaded:
            raise AdapterNotLoadedError(f"adapter {self.name!r} is not loaded; call load() first")

    @abstractmethod
    def load(self) -> None:
        """Load weights, processor and LoRA; afterwards ``loaded`` is True."""

    @abstractmethod
    def generate(self, requests: Sequence[InferenceRequest]) -> list[InferenceResponse]:
        """Answer ``requests`` as one batch, in order; a failed item carries ``error``."""

    @abstractmethod
    def stream(self, request: InferenceRequest) -> Iterator[TokenEvent]:
        """Yield timed text pieces of one request; the last event is ``final`` with the response."""

    @abstractmethod
    def close(self) -> None:
        """Free the model (and accelerator memory); the adapter can be loaded again."""

    def info(self) -> dict[str, Any]:
        """Describe the served model: name, LoRA names, device, dtype (for /health, /v1/models)."""
        return {
            "adapter": self.name,
            "backend": self.backend,
            "family": self.config.family,
            "model": self.config.served_model_name,
            "lora": self.config.lora_name,
            "device": self.config.device,
            "dtype": self.config.dtype,
        }

    def __enter__(self) -> Self:
        if not self._loaded:
            self.load()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
