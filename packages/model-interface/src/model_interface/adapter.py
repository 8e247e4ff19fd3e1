"""The model adapter ABC every backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self

from model_interface.errors import AdapterNotLoadedError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Sequence

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
    # True for engines that batch concurrent requests themselves (vLLM): a server
    # then calls ``astream`` per request instead of batching for them.
    continuous_batching: ClassVar[bool] = False

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

    def stream_batch(
        self,
        requests: Sequence[InferenceRequest],
        should_stop: Callable[[str], bool] | None = None,
    ) -> Iterator[TokenEvent]:
        """Answer ``requests`` as one batch, yielding each request's events as they happen.

        Events of different requests interleave (``event.id`` tells them
        apart); every request ends with its ``final`` event. ``should_stop(id)``
        returning True ends that request early (its client went away).
        Backends that can step a batch token by token override this; the
        default answers the batch with ``generate`` and yields whole texts.
        """
        from model_interface.types import TokenEvent

        for response in self.generate(requests):
            if response.text:
                yield TokenEvent(id=response.id, text=response.text, t_s=response.latency_s)
            yield TokenEvent(
                id=response.id, index=1, t_s=response.latency_s, final=True, response=response
            )

    async def astream(self, request: InferenceRequest) -> AsyncIterator[TokenEvent]:
        """Stream one request on an engine that batches by itself (``continuous_batching``).

        Closing the iterator early aborts the request in the engine.
        """
        raise NotImplementedError(f"adapter {self.name!r} has no async engine")
        yield  # pragma: no cover (makes this an async generator)

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
