"""LoRA adapters through peft, with remapping of keys saved against older transformers.

transformers 4.52 moved Qwen VL's language model under ``model.language_model``
and the vision tower under ``model.visual``. Adapters trained before that
name ``model.layers.N...`` and ``visual.blocks.N...``; peft would load such a
file into nothing and only warn. We detect that, rewrite the keys into a
cached copy of the adapter, and refuse an adapter whose keys still match no
module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from model_interface import ModelInterfaceError

logger = logging.getLogger(__name__)

PEFT_PREFIX = "base_model.model."
ADAPTER_WEIGHTS = "adapter_model.safetensors"
# Old (transformers < 4.52) module paths of Qwen VL models and their current names.
OLD_KEY_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^model\.(?!language_model\.|visual\.)"), "model.language_model."),
    (re.compile(r"^visual\."), "model.visual."),
)
LORA_SUFFIX = re.compile(
    r"\.(lora_[AB]|lora_embedding_[AB]|lora_magnitude_vector)(\.[^.]+)?(\.weight)?$"
)


class LoraMismatchError(ModelInterfaceError):
    """A LoRA adapter's weights do not match the model's modules (it would load nothing)."""


def module_of_key(key: str) -> str:
    """The model module path a saved LoRA tensor belongs to (prefix and suffix removed)."""
    key = key.removeprefix(PEFT_PREFIX)
    return LORA_SUFFIX.sub("", key)


def remap_old_key(key: str) -> str:
    """Rewrite one saved key from the pre-4.52 Qwen VL layout to the current one."""
    inner = key.removeprefix(PEFT_PREFIX)
    for pattern, replacement in OLD_KEY_RULES:
        if pattern.search(inner):
            return PEFT_PREFIX + pattern.sub(replacement, inner, count=1)
    return key


def plan_key_remap(keys: list[str], module_names: set[str]) -> dict[str, str]:
    """Map every saved key to a key whose module exists in the model.

    Returns ``{old: new}`` for keys that need rewriting (empty when all match);
    raises ``LoraMismatchError`` naming examples when some match neither way.
    """
    renames: dict[str, str] = {}
    unmatched: list[str] = []
    for key in keys:
        if module_of_key(key) in module_names:
            continue
        candidate = remap_old_key(key)
        if module_of_key(candidate) in module_names:
            renames[key] = candidate
        else:
            unmatched.append(key)
    if unmatched:
        raise LoraMismatchError(
            f"{len(unmatched)} of {len(keys)} LoRA tensors match no module of the model "
            f"(e.g. {', '.join(unmatched[:3])}); is the adapter for this model?"
        )
    return renames


def remapped_adapter_dir(adapter_dir: Path, renames: dict[str, str]) -> Path:
    """Write a copy of the adapter with renamed tensors to a cache folder and return it."""
    from safetensors.torch import load_file, save_file

    digest = hashlib.sha256((adapter_dir / ADAPTER_WEIGHTS).read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "hyperbench-lora-remap" / digest
    if not (target / ADAPTER_WEIGHTS).exists():
        staging = Path(
            tempfile.mkdtemp(prefix="remap-", dir=target.parent if target.parent.exists() else None)
        )
        for item in adapter_dir.iterdir():
            if item.is_file() and item.name != ADAPTER_WEIGHTS:
                shutil.copy2(item, staging / item.name)
        tensors = load_file(str(adapter_dir / ADAPTER_WEIGHTS))
        save_file(
            {renames.get(k, k): v for k, v in tensors.items()}, str(staging / ADAPTER_WEIGHTS)
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            staging.rename(target)
    return target


def saved_keys(adapter_dir: Path) -> list[str]:
    """Tensor names stored in an adapter folder (safetensors)."""
    from safetensors import safe_open

    weights = adapter_dir / ADAPTER_WEIGHTS
    if not weights.is_file():
        raise LoraMismatchError(f"{adapter_dir} has no {ADAPTER_WEIGHTS}")
    with safe_open(str(weights), framework="pt") as handle:
        return list(handle.keys())


def apply_lora(
    model: Any, lora_path: str, *, merge: bool = False, adapter_name: str = "default"
) -> Any:
    """Attach the LoRA at ``lora_path`` with peft; merge it into the weights when ``merge``.

    Old-layout adapters are remapped first; afterwards every saved tensor must
    be present in the peft model, so an adapter can never load as a no-op.
    """
    from peft import PeftModel
    from peft.utils import get_peft_model_state_dict

    adapter_dir = Path(lora_path)
    if not (adapter_dir / "adapter_config.json").is_file():
        raise LoraMismatchError(
            f"{adapter_dir} is not a LoRA adapter folder (no adapter_config.json)"
        )
    keys = saved_keys(adapter_dir)
    modules = {name for name, _ in model.named_modules()}
    renames = plan_key_remap(keys, modules)
    if renames:
        logger.warning(
            "LoRA %s uses pre-4.52 key names; remapping %d tensors", adapter_dir, len(renames)
        )
        adapter_dir = remapped_adapter_dir(adapter_dir, renames)
    peft_model = PeftModel.from_pretrained(model, str(adapter_dir), adapter_name=adapter_name)
    loaded = set(get_peft_model_state_dict(peft_model, adapter_name=adapter_name))
    expected = {renames.get(k, k) for k in keys}
    missing = sorted(expected - loaded)
    if missing:
        raise LoraMismatchError(f"LoRA tensors not loaded into the model: {', '.join(missing[:3])}")
    return peft_model.merge_and_unload() if merge else peft_model


def adapter_rank(lora_path: str) -> int:
    """The LoRA rank ``r`` from ``adapter_config.json`` (vLLM needs ``max_lora_rank``)."""
    config = json.loads((Path(lora_path) / "adapter_config.json").read_text(encoding="utf-8"))
    return int(config.get("r", 16))
