#!/usr/bin/env bash
# The measured comparison: five algorithms x three seeds x two tasks at an equal token budget.
# Usage (from the repository root, after `pnpm build`): experiments/run-main.sh [out-dir]
set -euo pipefail
out=${1:-runs/main}
node apps/trainer/dist/cli.js compare \
  --config experiments/main.yaml \
  --algos ib-tpo,grpo,grpo-entropy,grpo-clip-higher,treerl \
  --seeds 1,2,3 \
  --tasks sort-swaps,countdown \
  --jobs 2 \
  --out "$out" \
  --title "IB-TPO vs GRPO family and TreeRL at an equal token budget"
