#!/usr/bin/env bash
# Paths that must agree, through the real binary on real Fashion-MNIST images:
#  - the same seed and thread count twice give bitwise-identical checkpoints;
#  - 2 epochs in one run == 1 epoch, then --resume for the second (bitwise);
#  - eval of the checkpoint reproduces the accuracy the train report holds;
#  - the report has the keys DESIGN.md requires.
# Usage: train_eval_resume.sh SPIKEFORGE_BINARY SOURCE_DIR
set -u
bin=$1
source "$(dirname "$0")/lib/check.bash"  # $work, $fails, check NAME COMMAND...

cat >"$work/tiny.toml" <<TOML
seed = 3
timesteps = 3
epochs = 2
batch_size = 32
lr = 0.002
[optimizer]
schedule = "constant"  # so a 1-epoch run is the first half of the 2-epoch run
[data]
train_limit = 256
test_limit = 200
encoder = "rate"
[[layers]]
type = "conv2d"
channels = 4
kernel = 3
pad = 1
[[layers]]
type = "batchnorm"
[[layers]]
type = "neuron"
[[layers]]
type = "maxpool2d"
[[layers]]
type = "flatten"
[[layers]]
type = "dropout"
p = 0.2
[[layers]]
type = "linear"
units = 10
[[layers]]
type = "readout"
TOML

run() { "$bin" train --config "$work/tiny.toml" --threads 2 "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; return 1; }; }
check train_a run --out "$work/a"
check train_b run --out "$work/b"
check same_seed_bitwise cmp -s "$work/a/last.ckpt" "$work/b/last.ckpt"
check train_one_epoch run --out "$work/c" --epochs 1
check resume_second_epoch run --out "$work/c" --resume "$work/c/last.ckpt"
check resume_bitwise cmp -s "$work/a/last.ckpt" "$work/c/last.ckpt"

"$bin" eval --checkpoint "$work/a/last.ckpt" --threads 2 --report "$work/eval.json" >/dev/null 2>&1
check eval_matches_train /usr/bin/python3 - "$work/a/report.json" "$work/eval.json" <<'PY'
import json, sys
tr, ev = (json.load(open(p)) for p in sys.argv[1:3])
need = ["test_accuracy", "epochs", "timesteps", "train_seconds", "samples_per_second", "firing_rate",
        "peak_rss_mb", "learner", "neuron", "init", "checkpoint", "config"]
missing = [k for k in need if k not in tr]
assert not missing, f"train report lacks {missing}"
assert 0.0 <= tr["test_accuracy"] <= 1.0
assert tr["epochs"] == 2 and tr["timesteps"] == 3 and tr["learner"] == "bptt"
assert tr["config"]["data"]["train_limit"] == 256, tr["config"]
assert set(tr["firing_rate"]) == {"lif2"}, tr["firing_rate"]
assert abs(tr["test_accuracy"] - ev["test_accuracy"]) < 1e-12, (tr["test_accuracy"], ev["test_accuracy"])
assert tr["test_accuracy"] > 0.3, f"a tiny net should beat chance (0.1) clearly, got {tr['test_accuracy']}"
log = tr["epoch_log"]  # the learning curve: one entry per epoch, the last one the report's figure
assert [e["epoch"] for e in log] == [1, 2], log
assert log[-1]["test_accuracy"] == tr["test_accuracy"], log
assert abs(log[-1]["train_seconds"] - tr["train_seconds"]) < 1e-9 and log[0]["train_seconds"] < log[1]["train_seconds"], log
PY

# The weight average (ema_decay) with precise BN: resumed bitwise (training
# carries on from train_params, the average from params), and eval of the
# checkpoint reproduces the averaged model's accuracy.
{ printf 'ema_decay = 0.9\nprecise_bn_batches = 2\n'; cat "$work/tiny.toml"; } >"$work/ema.toml"
run_ema() { "$bin" train --config "$work/ema.toml" --threads 2 "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; return 1; }; }
check ema_train run_ema --out "$work/e"
check ema_one_epoch run_ema --out "$work/f" --epochs 1
check ema_resume run_ema --out "$work/f" --resume "$work/f/last.ckpt"
check ema_resume_bitwise cmp -s "$work/e/last.ckpt" "$work/f/last.ckpt"
check ema_params_are_not_the_last_weights /usr/bin/python3 - "$work/e/last.ckpt" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()  # io/checkpoint.h: magic, version, count, (name, payload)*, crc
assert b[:8] == b"SPKFCKPT"
(count,), at, sec = struct.unpack_from("<I", b, 12), 16, {}
for _ in range(count):
    (n,) = struct.unpack_from("<I", b, at); name = b[at + 4:at + 4 + n].decode(); at += 4 + n
    (p,) = struct.unpack_from("<Q", b, at); sec[name] = b[at + 8:at + 8 + p]; at += 8 + p
assert "train_params" in sec and len(sec["train_params"]) == len(sec["params"]), sorted(sec)
avg, last = (struct.unpack(f"<{len(sec[k]) // 4}f", sec[k]) for k in ("params", "train_params"))
moved = sum(abs(a - w) for a, w in zip(avg, last)) / len(avg)
assert moved > 1e-5, f"the saved average equals the last weights (mean |a - w| = {moved})"
PY
# eval_every = 2 over 3 epochs: precise BN and the test set after epochs 2
# and 3 only, and training is untouched by them (the same losses, the same
# final accuracy as evaluating after every epoch); epoch 1 logs no test figure.
check ema_three_epochs run_ema --out "$work/i" --epochs 3
{ printf 'eval_every = 2\n'; cat "$work/ema.toml"; } >"$work/every2.toml"
check eval_every_train bash -c '"$0" train --config "$1" --threads 2 --out "$2" --epochs 3 >/dev/null 2>&1' \
  "$bin" "$work/every2.toml" "$work/j"
check eval_every_changes_no_training /usr/bin/python3 - "$work/i/report.json" "$work/j/report.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["config"]["eval_every"] == 2, b["config"]
assert [e["train_loss"] for e in a["epoch_log"]] == [e["train_loss"] for e in b["epoch_log"]], (a, b)
assert a["test_accuracy"] == b["test_accuracy"], (a["test_accuracy"], b["test_accuracy"])
assert [("test_accuracy" in e) for e in b["epoch_log"]] == [False, True, True], b["epoch_log"]
assert all("test_accuracy" in e for e in a["epoch_log"]), a["epoch_log"]
PY

# Resuming an ema_decay config from a checkpoint without an average: exit 2,
# one line naming the file and the key, no output directory made.
check plain_one_epoch run --out "$work/g" --epochs 1
"$bin" train --config "$work/ema.toml" --threads 2 --out "$work/h" --resume "$work/g/last.ckpt" >/dev/null 2>"$work/err"
code=$?
check ema_resume_without_average_is_an_error bash -c '[ "$0" = 2 ] && [ "$(wc -l <"$1")" = 1 ] &&
  grep -q "g/last.ckpt: checkpoint holds no weight average, expected one for ema_decay" "$1" && [ ! -e "$2" ]' \
  "$code" "$work/err" "$work/h"
"$bin" eval --checkpoint "$work/e/last.ckpt" --threads 2 --report "$work/eval_ema.json" >/dev/null 2>&1
check ema_eval_matches_train /usr/bin/python3 - "$work/e/report.json" "$work/eval_ema.json" <<'PY'
import json, sys
tr, ev = (json.load(open(p)) for p in sys.argv[1:3])
assert tr["config"]["ema_decay"] == 0.9, tr["config"]
assert abs(tr["test_accuracy"] - ev["test_accuracy"]) < 1e-12, (tr["test_accuracy"], ev["test_accuracy"])
PY

# data.holdout = 60: 60 of the 256 training images are scored instead of the
# test split, and eval of the checkpoint scores the same 60.
sed 's/^\[data\]$/[data]\nholdout = 60/' "$work/tiny.toml" >"$work/holdout.toml"
check holdout_train bash -c '"$0" train --config "$1" --threads 2 --out "$2" --epochs 1 >/dev/null 2>&1' \
  "$bin" "$work/holdout.toml" "$work/k"
"$bin" eval --checkpoint "$work/k/last.ckpt" --threads 2 --report "$work/eval_holdout.json" >/dev/null 2>&1
check holdout_eval_scores_the_same_images /usr/bin/python3 - "$work/k/report.json" "$work/eval_holdout.json" <<'PY'
import json, sys
tr, ev = (json.load(open(p)) for p in sys.argv[1:3])
assert tr["config"]["data"]["holdout"] == 60, tr["config"]["data"]
assert ev["test_samples"] == 60, ev["test_samples"]
assert abs(tr["test_accuracy"] - ev["test_accuracy"]) < 1e-12, (tr["test_accuracy"], ev["test_accuracy"])
assert abs(tr["test_accuracy"] * 60 - round(tr["test_accuracy"] * 60)) < 1e-9, tr["test_accuracy"]
PY

[ "$fails" = 0 ] || { echo "$fails check(s) failed"; exit 1; }
