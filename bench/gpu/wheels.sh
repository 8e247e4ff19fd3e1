#!/usr/bin/env bash
# Fill bench/gpu/.whl (git-ignored) with what the offline GPU machine lacks: this project's three
# packages and the pure-Python server stack, versions as in uv.lock (see README.md).
set -eu; G=$(cd "$(dirname "$0")" && pwd); R=$(cd "$G/../.." && pwd); D=$G/.whl; mkdir -p $D
for p in model-interface model-qwen-vl bench-utils; do (cd $R && uv build --package $p --wheel -o $D -q); done
v() { (cd $R && uv export --frozen --no-hashes --all-packages 2>/dev/null | grep -E "^$1==" | head -1); }
PKGS=""; for p in pydantic pydantic-core annotated-types typing-inspection fastapi starlette uvicorn \
  python-multipart openai jiter distro sniffio h11 anyio idna typing-extensions prometheus-client; do
  PKGS="$PKGS $(v $p || echo $p)"; done
python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_17_x86_64 -d $D $PKGS opentelemetry-api
ls $D
