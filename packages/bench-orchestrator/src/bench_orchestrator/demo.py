"""``python -m bench_orchestrator.demo DIR --s3 URL``: what docs/experiment.example.toml needs.

Writes two tiny random Qwen checkpoints (2.5-VL and 3-VL) under
``DIR/models``, a mode folder locked for them under ``DIR/mode`` (standing in
for ``prod/``), and uploads two small datasets to
``s3://hyperbench-demo/datasets/{colours,classes}`` on the S3 server at URL
(moto, MinIO or AWS; credentials from the usual AWS variables).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def build_demo(folder: Path, s3_endpoint: str, bucket: str = "hyperbench-demo") -> None:
    """Models, a locked mode and the datasets on S3."""
    from bench_orchestrator.storage import s3_client
    from bench_orchestrator.testing import write_test_mode
    from bench_utils.testing import make_sample_dataset
    from model_qwen_vl.testing.provision import ensure_hf_stack

    ensure_hf_stack()
    from model_qwen_vl.testing.tiny import make_tiny_checkpoint

    for name, family in (("qwen25", "qwen2_5_vl"), ("qwen3", "qwen3_vl")):
        make_tiny_checkpoint(family, folder / "models" / name)
    # A checkout: the packages folder beside this package (editable sources in the lock).
    write_test_mode(folder / "mode", Path(__file__).parents[3])
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=bucket)
    for name, count in (("colours", 6), ("classes", 6)):
        local = folder / "datasets" / name
        make_sample_dataset(local, count=count)
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            key = f"datasets/{name}/{path.relative_to(local).as_posix()}"
            client.upload_file(str(path), bucket, key)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--s3", required=True, help="S3 endpoint URL, e.g. http://127.0.0.1:5000")
    args = parser.parse_args(argv)
    build_demo(args.folder.resolve(), args.s3)
    print(args.folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
