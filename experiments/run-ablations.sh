#!/usr/bin/env bash
# Ablations of IB-TPO's advantage options (docs/METHOD.md section 5) on sort-swaps, three seeds each,
# at the budget of experiments/main.yaml. Each variant changes one option from the defaults
# (lambda 0.1, beta 1, informationAlpha 0.5, leafNorm sqrt, localValue 0).
# Finished runs in the output folder are reused, so the default variant can be seeded with the
# ib-tpo runs of experiments/run-main.sh (same config).
# Usage (from the repository root, after `pnpm build`): experiments/run-ablations.sh [out-dir] [task]
set -euo pipefail
out=${1:-runs/ablations}
task=${2:-sort-swaps}
variants=(
  "default"
  "lambda-0 advantage.lambda=0"
  "lambda-0.3 advantage.lambda=0.3"
  "beta-0 advantage.beta=0"
  "alpha-0.1 advantage.informationAlpha=0.1"
  "leafnorm-none advantage.leafNorm=none"
  "localvalue-1 advantage.localValue=1"
)
for variant in "${variants[@]}"; do
  read -r name setting <<<"$variant"
  sets=()
  [ -n "${setting:-}" ] && sets=(--set "$setting")
  node apps/trainer/dist/cli.js compare \
    --config experiments/main.yaml \
    --algos ib-tpo --seeds 1,2,3 --tasks "$task" --jobs 2 \
    --out "$out/$name" --title "IB-TPO ablation: $name" "${sets[@]}" >/dev/null
  echo "$name done"
done
node experiments/ablation-table.mjs "$out"
