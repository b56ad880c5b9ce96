#!/usr/bin/env bash
# The calibration of the regulariser baselines (docs/METHOD.md section 8, "a baseline must act"):
# grpo, grpo-entropy and grpo-clip-higher on countdown, seeds 1 and 2, with the shared settings of
# experiments/main.yaml, then the table of what each targets (token entropy, clip fraction at the
# upper and lower bound) with accuracy. Finished runs in the output folder are reused.
# Usage (from the repository root, after `pnpm build`): experiments/run-baselines.sh [out-dir]
set -euo pipefail
out=${1:-runs/baselines}
machine() {
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') x$(nproc)," \
    "node $(node --version), load average $(cut -d' ' -f1-3 /proc/loadavg) ($1)"
}
machine "at the start"
node apps/trainer/dist/cli.js compare \
  --config experiments/main.yaml \
  --algos grpo,grpo-entropy,grpo-clip-higher \
  --seeds 1,2 \
  --tasks countdown \
  --jobs 2 \
  --out "$out" \
  --title "Regulariser baselines against GRPO: entropy and clip fraction" >/dev/null
machine "at the end"
node experiments/baseline-calibration.mjs "$out/runs"
