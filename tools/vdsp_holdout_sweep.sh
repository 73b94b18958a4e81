#!/usr/bin/env bash
# How the VDSP configs' presentation time, read-out and epoch count were chosen
# without the test split: each setting trained on 6,400 of the 8,000 training
# digits and scored on the other 1,600 (data.holdout = 1600), for each seed in
# SEEDS (default "0 1 2"); prints the vote accuracy and that of the READOUT
# (default proportion; or linear) of the final epoch, each seed and the mean.
# With PER_EPOCH=1 it prints every epoch's READOUT accuracy instead (each epoch
# is scored; the evaluation does not change training, so epoch k of a longer
# run is the k-epoch run).
# Usage: tools/vdsp_holdout_sweep.sh NEURONS "T:LR:EPOCHS" ...   (run from the repo root)
# e.g.   tools/vdsp_holdout_sweep.sh 100 350:1e-3:4 700:5e-4:4 1050:3.3e-4:4
#        SEEDS="0 1 2 3 4" PER_EPOCH=1 tools/vdsp_holdout_sweep.sh 100 1400:2.5e-4:7
#        SEEDS="0 1 2 3 4" READOUT=linear tools/vdsp_holdout_sweep.sh 100 1400:2.5e-4:4
set -eu
neurons=$1
shift
bin=${SPIKEFORGE:-build/spikeforge}
seeds=${SEEDS:-0 1 2}
readout=${READOUT:-proportion}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mean='{ s = 0; for (i = 1; i <= NF; ++i) { printf "%.2f ", 100 * $i; s += $i } printf "(%.2f)", 100 * s / NF }'
if [ "${PER_EPOCH:-0}" = 1 ]; then
  printf '%-8s %-20s %-6s %s\n' neurons "T:lr:epochs" epoch "$readout, seeds $seeds (mean)"
else
  printf '%-8s %-20s %-30s %s\n' neurons "T:lr:epochs" "vote, seeds $seeds (mean)" "$readout (mean)"
fi
for setting in "$@"; do
  IFS=: read -r T lr epochs <<<"$setting"
  votes="" props=""
  for seed in $seeds; do
    cat >"$work/c.toml" <<TOML
learner = "vdsp"
seed = $seed
epochs = $epochs
timesteps = $T
[data]
dataset = "mnist"
holdout = 1600
[vdsp]
neurons = $neurons
lr = $lr
w_init_min = 0.9
readout = "$readout"
TOML
    "$bin" train --config "$work/c.toml" --threads 2 --out "$work/run" --report "$work/r.json" >"$work/log.$seed" 2>/dev/null
    read -r v p < <(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["vote_accuracy"], r[sys.argv[2] + "_accuracy"])' "$work/r.json" "$readout")
    votes="$votes $v" props="$props $p"
  done
  if [ "${PER_EPOCH:-0}" = 1 ]; then
    for ((e = 1; e <= epochs; ++e)); do
      row=""
      for seed in $seeds; do
        row="$row $(awk -v e="$e/$epochs" -v r="$readout" '$1 == "epoch" && $2 == e { for (i = 3; i < NF; ++i) if ($i == r "_accuracy") print $(i + 1) }' "$work/log.$seed")"
      done
      printf '%-8s %-20s %-6s %s\n' "$neurons" "$setting" "$e" "$(echo $row | awk "$mean")"
    done
  else
    printf '%-8s %-20s %-30s %s\n' "$neurons" "$setting" "$(echo $votes | awk "$mean")" "$(echo $props | awk "$mean")"
  fi
done
