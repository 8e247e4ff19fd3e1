"""model-qwen-vl: Qwen2.5-VL and Qwen3-VL adapters (transformers + peft, vLLM) for hyperbench.

Importing this package registers the adapters without importing torch.
"""

from model_qwen_vl.families import FAMILIES, QwenFamily, get_family
from model_qwen_vl.hf_backend import QwenVLHFAdapter
from model_qwen_vl.vllm_backend import QwenVLVLLMAdapter

__all__ = ["FAMILIES", "QwenFamily", "QwenVLHFAdapter", "QwenVLVLLMAdapter", "get_family"]
