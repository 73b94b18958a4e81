#!/usr/bin/env bash
# The unsupervised read-outs through the real binary, VDSP on real MNIST digits:
#  - the read-out is fitted after training: vote, proportion and linear runs
#    train the same weights, so all report the same vote accuracy;
#  - test_accuracy is the configured read-out's accuracy, named in the report;
#  - the report says which rule trained it (learner, network);
#  - data.holdout scores held-out training digits instead of the test split.
# Usage: plasticity_readouts.sh SPIKEFORGE_BINARY SOURCE_DIR
set -u
bin=$1
source "$(dirname "$0")/lib/check.bash"  # $work, $fails, check NAME COMMAND...

train() {  # train READOUT
  "$bin" train --config "$work/$1.toml" --threads 2 --out "$work/$1" --report "$work/$1.json" >/dev/null 2>"$work/err" ||
    { cat "$work/err"; return 1; }
}

for readout in vote proportion linear; do
  cat >"$work/$readout.toml" <<TOML
learner = "vdsp"
seed = 1
epochs = 1
timesteps = 150
[data]
dataset = "mnist"
train_limit = 600
test_limit = 300
[vdsp]
neurons = 30
w_init_min = 0.9
readout = "$readout"
TOML
  check "train_$readout" train "$readout"
done

# data.holdout: 100 of the 600 training digits are scored instead of the test split
sed 's/^test_limit = 300$/holdout = 100/' "$work/vote.toml" >"$work/holdout.toml"
check train_holdout train holdout

check reports_agree /usr/bin/python3 - "$work/vote.json" "$work/proportion.json" "$work/linear.json" <<'PY'
import json, sys
v, p, l = (json.load(open(f)) for f in sys.argv[1:4])
for r in (v, p, l):
    assert r["learner"] == "vdsp" and r["network"] == "vdsp_wta", (r["learner"], r["network"])
    # the read-out does not change training: the same vote from the same weights
    assert r["vote_accuracy"] == v["vote_accuracy"], (r["vote_accuracy"], v["vote_accuracy"])
assert v["test_accuracy"] == v["vote_accuracy"] and "proportion_accuracy" not in v and "linear_accuracy" not in v
assert p["test_accuracy"] == p["proportion_accuracy"] and "linear_accuracy" not in p
assert l["test_accuracy"] == l["linear_accuracy"] and "proportion_accuracy" not in l
# 30 prototypes learned from 600 digits classify far above chance (10 %)
for key, r in (("vote", v), ("proportion", p), ("linear", l)):
    assert r[key + "_accuracy"] > 0.4, (key, r[key + "_accuracy"])
print("vote %.4f proportion %.4f linear %.4f" % (v["vote_accuracy"], p["proportion_accuracy"], l["linear_accuracy"]))
PY

check holdout_scores_training_digits /usr/bin/python3 - "$work/holdout.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert (r["train_samples"], r["test_samples"]) == (500, 100), (r["train_samples"], r["test_samples"])
assert r["config"]["data"]["holdout"] == 100, r["config"]["data"]
assert abs(r["test_accuracy"] * 100 - round(r["test_accuracy"] * 100)) < 1e-9, r["test_accuracy"]
PY

[ "$fails" = 0 ] || { echo "$fails check(s) failed"; exit 1; }
