#!/usr/bin/env bash
# One-call GPU check of the server (issue 13): random Qwen2.5-VL at 3B dims, hyperbench serve with
# the batching scheduler, closed-loop load at concurrency 1 vs 8 (interleaved, twice), single-stream
# decode through the server, each for fast_decode on (static cache + compile, warm-up at load) and
# off; then the raw transformers floor. Usage: check.sh SIZE MAXTOK [N]   (SIZE: tiny | 3b)
# Targets: c8 >= 5x c1 (out tok/s); single-stream decode >= 150 tok/s.
set -u; SIZE=${1:-3b}; MT=${2:-64}; N=${3:-16}; OUTD=${OUT:-/tmp/gpuout}; mkdir -p $OUTD
G=$(cd "$(dirname "$0")" && pwd); W=/tmp/gw; rm -rf $W; mkdir -p $W; export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
PY=${PY:-python3}
if [ -d "$G/.whl" ] && [ -z "${NO_WHEELS:-}" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site $G/.whl/*.whl && export PYTHONPATH=/tmp/site || exit 1
  export PATH=/tmp/site/bin:$PATH
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | tee $OUTD/device.txt
$PY -c "import torch, transformers; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'transformers', transformers.__version__)"
t=$(date +%s); $PY $G/make_model.py qwen2_5_vl $SIZE $W/model || exit 1; echo "make_model $(( $(date +%s)-t ))s"
$PY $G/make_data.py $W/data 4
PORT=18777
for FAST in ${FASTS-true false}; do
cat > $W/model.toml <<T
[model]
family = "qwen2_5_vl"
backend = "hf"
model_path = "$W/model"
served_name = "q25-$SIZE"
dtype = "auto"
device = "auto"
attn_implementation = "sdpa"
max_batch_size = 8
fast_decode = $FAST
[model.generation]
max_new_tokens = $MT
temperature = 0.0
ignore_eos = true
[server]
batch_window_ms = 5
T
t=$(date +%s)
$PY -m bench_utils.cli serve $W/model.toml --host 127.0.0.1 --port $PORT > $W/serve-$FAST.log 2>&1 & SP=$!
for i in $(seq 1 300); do curl -sf http://127.0.0.1:$PORT/health > $W/health.json && break; sleep 1; done
echo "fast_decode=$FAST ready after $(( $(date +%s)-t ))s (load + warm-up)"; cat $W/health.json; echo
for round in 1 2; do for c in 1 8; do
  $PY $G/load.py $PORT $N $c $MT $W/data/img/0.png | tee -a $OUTD/load-$FAST.jsonl
done; done
$PY $G/stream_decode.py $PORT 256 $W/data/img/0.png | tee $OUTD/stream-$FAST.jsonl
curl -s http://127.0.0.1:$PORT/metrics | grep -E "^hyperbench_(batch_size_(sum|count)|requests_total|queue_wait_seconds_(sum|count))" | tee $OUTD/metrics-$FAST.txt
kill $SP; wait $SP 2>/dev/null; grep -iE "warm-up|error|Traceback" $W/serve-$FAST.log | tail -5
done
[ -n "${SKIP_RAW:-}" ] || $PY $G/raw.py $W/model $W/data/img/0.png $MT | tee $OUTD/raw.txt
