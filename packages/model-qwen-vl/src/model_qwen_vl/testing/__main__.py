"""``python -m model_qwen_vl.testing`` installs the CPU test stack (see ``provision``)."""

from model_qwen_vl.testing.provision import ensure_hf_stack

print("installed:" if (done := ensure_hf_stack()) else "already present", *done)
