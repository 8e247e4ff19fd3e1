"""model-interface: the contract between the hyperbench benchmark and model backends."""

from model_interface.adapter import ModelAdapter
from model_interface.config import (
    ModelConfig,
    load_model_config,
    parse_model_config,
    resolve_device,
)
from model_interface.errors import (
    AdapterNotLoadedError,
    DuplicateAdapterError,
    InvalidRequestError,
    ModelConfigError,
    ModelInterfaceError,
    UnknownAdapterError,
)
from model_interface.registry import (
    ENTRY_POINT_GROUP,
    AdapterRegistry,
    create_adapter,
    register_adapter,
    registry,
)
from model_interface.types import (
    ChatPart,
    ChatTurn,
    GenerationParams,
    InferenceRequest,
    InferenceResponse,
    TokenEvent,
    TokenLogprob,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterNotLoadedError",
    "AdapterRegistry",
    "ChatPart",
    "ChatTurn",
    "DuplicateAdapterError",
    "GenerationParams",
    "InferenceRequest",
    "InferenceResponse",
    "InvalidRequestError",
    "ModelAdapter",
    "ModelConfig",
    "ModelConfigError",
    "ModelInterfaceError",
    "TokenEvent",
    "TokenLogprob",
    "UnknownAdapterError",
    "create_adapter",
    "load_model_config",
    "parse_model_config",
    "register_adapter",
    "registry",
    "resolve_device",
]
