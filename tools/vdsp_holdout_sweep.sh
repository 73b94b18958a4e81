#!/usr/bin/env bash
# How the VDSP configs' presentation time and read-out were chosen without the
# test split: each setting trained on 6,400 of the 8,000 training digits and
# scored on the other 1,600 (data.holdout = 1600), seeds 0-2; prints the vote
# and proportion accuracies of the final epoch, each seed and the mean.
# Usage: tools/vdsp_holdout_sweep.sh NEURONS "T:LR:EPOCHS" ...   (run from the repo root)
# e.g.   tools/vdsp_holdout_sweep.sh 100 350:1e-3:4 700:5e-4:4 1050:3.3e-4:4
set -eu
neurons=$1
shift
bin=${SPIKEFORGE:-build/spikeforge}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-8s %-20s %-26s %-26s\n' neurons "T:lr:epochs" "vote s0 s1 s2 (mean)" "proportion s0 s1 s2 (mean)"
for setting in "$@"; do
  IFS=: read -r T lr epochs <<<"$setting"
  votes="" props=""
  for seed in 0 1 2; do
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
readout = "proportion"
TOML
    "$bin" train --config "$work/c.toml" --threads 2 --out "$work/run" --report "$work/r.json" >/dev/null 2>&1
    read -r v p < <(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["vote_accuracy"], r["proportion_accuracy"])' "$work/r.json")
    votes="$votes $v" props="$props $p"
  done
  fmt='{ printf "%.2f %.2f %.2f (%.2f)", 100*$1, 100*$2, 100*$3, 100*($1+$2+$3)/3 }'
  printf '%-8s %-20s %-26s %-26s\n' "$neurons" "$setting" "$(echo $votes | awk "$fmt")" "$(echo $props | awk "$fmt")"
done
