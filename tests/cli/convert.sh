#!/usr/bin/env bash
# ANN -> SNN through the real binary on real Fashion-MNIST images:
#  - a tiny conversion-friendly ANN trains; convert writes an SNN checkpoint and
#    a report with the keys DESIGN.md lists;
#  - eval of the SNN checkpoint reproduces convert's snn_accuracy, and the
#    dense and event engines agree on accuracy, spikes and SynOps exactly;
#  - --sweep reports one entry per T; latency = (iLIF depth + 1) T;
#  - bad input: exit 2, one stderr line naming the problem, nothing written.
# Usage: convert.sh SPIKEFORGE_BINARY SOURCE_DIR
set -u
bin=$1
source "$(dirname "$0")/lib/check.bash"  # $work, $fails, check NAME COMMAND...
jget() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval('d'+sys.argv[2]))" "$@"; }

cat >"$work/ann.toml" <<TOML
timesteps = 1
epochs = 1
batch_size = 32
[data]
train_limit = 512
test_limit = 300
[[layers]]
type = "conv2d"
channels = 4
kernel = 3
pad = 1
[[layers]]
type = "batchnorm"
[[layers]]
type = "relu"
[[layers]]
type = "maxpool2d"
kernel = 2
[[layers]]
type = "flatten"
[[layers]]
type = "linear"
units = 32
[[layers]]
type = "relu"
[[layers]]
type = "linear"
units = 10
TOML
"$bin" train --config "$work/ann.toml" --out "$work/ann" >"$work/train.log" 2>&1 || { echo "FAIL train"; cat "$work/train.log"; exit 1; }

"$bin" convert --model "$work/ann/last.ckpt" --method spikeconverter --timesteps 6 --sweep 3 --calib-samples 200 \
  --test-limit 300 --out "$work/snn.ckpt" --report "$work/conv.json" >"$work/conv.log" 2>&1 ||
  { echo "FAIL convert"; cat "$work/conv.log"; exit 1; }
for key in ann_accuracy snn_accuracy method engine timesteps latency_timesteps spikes_per_sample synops_per_sample firing_rate sweep; do
  check "report has $key" jget "$work/conv.json" "['$key']" >/dev/null
done
check "latency is (2 iLIF layers + 1) x 6" test "$(jget "$work/conv.json" "['latency_timesteps']")" = 18
check "sweep holds T=3" test "$(jget "$work/conv.json" "['sweep'][0]['timesteps']")" = 3
for engine in dense event; do
  "$bin" eval --checkpoint "$work/snn.ckpt" --engine "$engine" --report "$work/$engine.json" >/dev/null 2>&1 || echo "FAIL eval $engine"
done
for key in test_accuracy spikes_per_sample synops_per_sample; do
  check "dense == event: $key" test "$(jget "$work/dense.json" "['$key']")" = "$(jget "$work/event.json" "['$key']")"
done
check "eval reproduces convert's snn_accuracy" \
  test "$(jget "$work/dense.json" "['test_accuracy']")" = "$(jget "$work/conv.json" "['snn_accuracy']")"
check "spikes were counted" /usr/bin/python3 -c "import json; assert json.load(open('$work/event.json'))['synops_per_sample'] > 0"

# Bad input: exit 2, one line naming the problem, no report written.
expect_error() {  # expect_error NAME PATTERN ARGS...
  local name=$1 pattern=$2
  shift 2
  rm -f "$work/bad.json"
  "$bin" "$@" --report "$work/bad.json" >"$work/stdout" 2>"$work/stderr"
  local code=$? lines
  lines=$(wc -l <"$work/stderr")
  if [ "$code" != 2 ] || [ "$lines" != 1 ] || ! grep -qE -- "$pattern" "$work/stderr" || [ -e "$work/bad.json" ]; then
    echo "FAIL $name: exit $code, $lines stderr lines"
    sed 's/^/  stderr: /' "$work/stderr" | head -3
    fails=$((fails + 1))
  else
    echo "ok   $name: $(cat "$work/stderr")"
  fi
}
ann="$work/ann/last.ckpt"
expect_error method "method = \"spike\", expected one of rate, spikeconverter" convert --model "$ann" --method spike
expect_error percentile "--percentile 0, expected a number in \(0, 100\]" convert --model "$ann" --percentile 0
expect_error sweep "--sweep 4,x: 'x' is not an integer" convert --model "$ann" --sweep 4,x
expect_error coding "--input-coding rate: the spikeconverter method takes the analog image" convert --model "$ann" --input-coding rate
expect_error engine "engine = \"gpu\", expected one of dense, event" convert --model "$ann" --engine gpu
expect_error eval_engine "engine = \"gpu\", expected one of dense, event" eval --checkpoint "$ann" --engine gpu
expect_error missing "nope.ckpt" convert --model "$work/nope.ckpt"
expect_error snn_input "layers\[[0-9]+\] \(ilif\) has no spiking counterpart" convert --model "$work/snn.ckpt"
expect_error out_dir "$work/nodir/s.ckpt: directory $work/nodir does not exist" convert --model "$ann" --out "$work/nodir/s.ckpt"

if [ "$fails" != 0 ]; then
  echo "$fails failed"
  exit 1
fi
echo "all passed"
