"""Write a tiny random-weight Qwen2.5-VL or Qwen3-VL checkpoint for offline tests.

The checkpoint has the files a real one has (config, safetensors weights,
generation config, tokenizer, chat template, image and video processor
configs) and loads through the same code as a real checkpoint. The tokenizer
is a byte-level BPE trained from scratch on a few sentences; the text tower
has 2 layers and the vision tower 2 blocks. A ``hyperbench-model.toml`` model
config is written next to it so ``hyperbench serve DIR/hyperbench-model.toml``
works at once.

Usage: ``python -m model_qwen_vl.testing.tiny --family qwen3_vl --out DIR``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from model_qwen_vl.families import get_family

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CORPUS = [
    "What is in the image? Describe the chart. The answer is a cat, a dog, a table or a diagram.",
    "| No | Action | Role |\n|---|---|---|\n| 1 | Start | System |",
    "0123456789 yes no red green blue invoice total date name",
]
CONFIG_NAME = "hyperbench-model.toml"


def build_tokenizer() -> Any:
    """A byte-level BPE tokenizer with the Qwen special tokens, made from scratch."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=384,
        special_tokens=SPECIAL_TOKENS,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(CORPUS * 4, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=CHAT_TEMPLATE,
    )


def mrope_section(head_dim: int) -> list[int]:
    """Split ``head_dim / 2`` rotary pairs over (time, height, width) as Qwen VL does."""
    half = head_dim // 2
    spatial = half * 3 // 8
    return [half - 2 * spatial, spatial, spatial]


def model_config(
    family: str,
    token_ids: dict[str, int],
    vocab_size: int,
    *,
    hidden_size: int = 64,
    layers: int = 2,
) -> Any:
    """A transformers config of the family: a ``layers``-layer text and a 2-block vision tower."""
    from transformers import Qwen2_5_VLConfig, Qwen3VLConfig

    text: dict[str, Any] = {
        "vocab_size": vocab_size,
        "hidden_size": hidden_size,
        "intermediate_size": 2 * hidden_size,
        "num_hidden_layers": layers,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 4096,
        "eos_token_id": token_ids["<|im_end|>"],
        "pad_token_id": token_ids["<|endoftext|>"],
        "rope_parameters": {
            "rope_type": "default",
            "rope_theta": 10000.0,
            "mrope_section": mrope_section(hidden_size // 4),
        },
    }
    vision: dict[str, Any] = {
        "depth": 2,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_heads": 2,
        "out_hidden_size": hidden_size,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
    }
    ids: dict[str, Any] = {
        "image_token_id": token_ids["<|image_pad|>"],
        "video_token_id": token_ids["<|video_pad|>"],
        "vision_start_token_id": token_ids["<|vision_start|>"],
        "vision_end_token_id": token_ids["<|vision_end|>"],
    }
    if family == "qwen2_5_vl":
        vision.update(patch_size=14, window_size=56, fullatt_block_indexes=[1])
        return Qwen2_5_VLConfig(text_config=text, vision_config=vision, **ids)
    text["head_dim"] = hidden_size // 4
    text["rope_parameters"]["mrope_interleaved"] = True
    vision.update(patch_size=16, num_position_embeddings=64, deepstack_visual_indexes=[1])
    return Qwen3VLConfig(text_config=text, vision_config=vision, **ids)


def _processor_files(out: Path, family_name: str, tokenizer: Any) -> None:
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    from model_qwen_vl.processor import image_only_processor_class

    family = get_family(family_name)
    unit = family.patch_size * 2
    size = {"shortest_edge": unit * unit, "longest_edge": unit * unit * 16}
    image_processor = Qwen2VLImageProcessorPil(
        patch_size=family.patch_size, merge_size=2, temporal_patch_size=2, size=size
    )
    processor = image_only_processor_class(family)(
        image_processor=image_processor, tokenizer=tokenizer, chat_template=CHAT_TEMPLATE
    )
    processor.save_pretrained(out)
    # Name the stock classes, as a real checkpoint does; loading falls back to the
    # image-only class only where the stock one cannot be built (no torchvision).
    for name in ("processor_config.json", "tokenizer_config.json"):
        path = out / name
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            data["processor_class"] = family.processor_class
            path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    video = {
        "video_processor_type": family.video_processor_class,
        "patch_size": family.patch_size,
        "merge_size": 2,
        "temporal_patch_size": 2,
        "size": size,
        "processor_class": family.processor_class,
    }
    (out / "video_preprocessor_config.json").write_text(
        json.dumps(video, indent=2) + "\n", encoding="utf-8"
    )


def make_tiny_checkpoint(
    family: str, out_dir: str | Path, *, seed: int = 0, hidden_size: int = 64, layers: int = 2
) -> Path:
    """Write a tiny random ``family`` checkpoint plus ``hyperbench-model.toml`` to ``out_dir``.

    ``hidden_size`` (a multiple of 16) and ``layers`` grow the text tower for benchmarks.
    """
    import torch
    from transformers import AutoModelForImageTextToText

    get_family(family)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer()
    token_ids = {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIAL_TOKENS}
    torch.manual_seed(seed)
    model = AutoModelForImageTextToText.from_config(
        model_config(family, token_ids, len(tokenizer), hidden_size=hidden_size, layers=layers)
    )
    model.generation_config.eos_token_id = token_ids["<|im_end|>"]
    model.generation_config.pad_token_id = token_ids["<|endoftext|>"]
    model.save_pretrained(out)
    _processor_files(out, family, tokenizer)
    (out / CONFIG_NAME).write_text(
        f'family = "{family}"\nbackend = "hf"\nmodel_path = "."\nserved_name = "tiny-{family}"\n'
        'device = "cpu"\ndtype = "float32"\n\n[generation]\nmax_new_tokens = 16\n',
        encoding="utf-8",
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``--family`` and ``--out``; prints the checkpoint folder."""
    parser = argparse.ArgumentParser(description="Write a tiny random Qwen VL checkpoint.")
    parser.add_argument("--family", required=True, choices=["qwen2_5_vl", "qwen3_vl"])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(make_tiny_checkpoint(args.family, args.out, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
