#!/usr/bin/env bash
# Bad input to the command line: each case must exit 2 with exactly one line on
# stderr that names the problem, and must leave no output behind.
# Usage: bad_input.sh SPIKEFORGE_BINARY SOURCE_DIR
set -u
bin=$1
src=$2
source "$(dirname "$0")/lib/check.bash"  # $work, $fails

# expect_error NAME PATTERN ARGS...: exit code 2, one stderr line matching PATTERN, no $work/out.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  rm -rf "$work/out"
  "$bin" "$@" >"$work/stdout" 2>"$work/stderr"
  local code=$? lines
  lines=$(wc -l <"$work/stderr")
  if [ "$code" != 2 ] || [ "$lines" != 1 ] || ! grep -qE -- "$pattern" "$work/stderr" || [ -e "$work/out" ]; then
    echo "FAIL $name: exit $code, $lines stderr lines, out exists: $([ -e "$work/out" ] && echo yes || echo no)"
    sed 's/^/  stderr: /' "$work/stderr" | head -5
    fails=$((fails + 1))
  else
    echo "ok   $name: $(cat "$work/stderr")"
  fi
}

# A tiny valid config to derive the bad ones from.
good="$work/good.toml"
cat >"$good" <<TOML
timesteps = 2
epochs = 1
batch_size = 16
[data]
train_limit = 32
test_limit = 32
[[layers]]
type = "linear"
units = 10
[[layers]]
type = "readout"
TOML

# Data directory with a missing file, a truncated file, a wrong magic number.
fm=/usr/share/datasets/fashion-mnist
mkdir -p "$work/missing" "$work/trunc" "$work/magic"
cp "$fm"/t10k-* "$work/missing/"
cp "$fm"/* "$work/trunc/"
head -c 100000 "$fm/train-images-idx3-ubyte.gz" | gzip -dc 2>/dev/null | head -c 5000 | gzip >"$work/trunc/train-images-idx3-ubyte.gz"
cp "$fm"/* "$work/magic/"
printf '\x00\x00\x08\x05' | cat - <(gzip -dc "$fm/train-labels-idx1-ubyte.gz" | tail -c +5) | gzip >"$work/magic/train-labels-idx1-ubyte.gz"

expect_error missing_data_file "train-images-idx3-ubyte.gz.*not found" train --config "$good" --data-dir "$work/missing" --out "$work/out"
expect_error truncated_idx "train-images-idx3-ubyte.gz: truncated" train --config "$good" --data-dir "$work/trunc" --out "$work/out"
expect_error wrong_magic "train-labels-idx1-ubyte.gz: magic number 0x00000805, expected 0x00000801" train --config "$good" --data-dir "$work/magic" --out "$work/out"

sed 's/^epochs = 1/epochs = 1\nlearning_rate = 0.1/' "$good" >"$work/unknown.toml"
expect_error unknown_key "unknown key 'learning_rate'" train --config "$work/unknown.toml" --out "$work/out"
sed 's/^timesteps = 2/timesteps = -3/' "$good" >"$work/negT.toml"
expect_error negative_timesteps "timesteps = -3, expected an integer" train --config "$work/negT.toml" --out "$work/out"
sed 's/^units = 10/units = 7/' "$good" >"$work/shape.toml"
expect_error wrong_output_width "7 outputs, expected 10" train --config "$work/shape.toml" --out "$work/out"
sed 's/^train_limit = 32/train_limit = 32\nholdout = 32/' "$good" >"$work/holdout.toml"
expect_error holdout_of_every_image "holdout.toml: data.holdout = 32, expected fewer than the 32 training images" \
  train --config "$work/holdout.toml" --out "$work/out"
expect_error missing_config "nope.toml: config file not found" train --config "$work/nope.toml" --out "$work/out"
printf 'timesteps = [\n' >"$work/syntax.toml"
expect_error toml_syntax "syntax.toml:" train --config "$work/syntax.toml" --out "$work/out"

# A real checkpoint, then corrupt copies of it.
if "$bin" train --config "$good" --out "$work/run" >/dev/null 2>&1; then
  cp "$work/run/last.ckpt" "$work/flip.ckpt"
  printf '\xff' | dd of="$work/flip.ckpt" bs=1 seek=200 conv=notrunc 2>/dev/null
  expect_error corrupt_checkpoint "flip.ckpt: corrupt checkpoint: checksum mismatch" eval --checkpoint "$work/flip.ckpt" --report "$work/out"
  head -c 50 "$work/run/last.ckpt" >"$work/short.ckpt"
  expect_error truncated_checkpoint "short.ckpt: corrupt checkpoint" eval --checkpoint "$work/short.ckpt" --report "$work/out"
  echo "hello" >"$work/text.ckpt"
  expect_error not_a_checkpoint "text.ckpt: not a spikeforge checkpoint" eval --checkpoint "$work/text.ckpt" --report "$work/out"
else
  echo "FAIL could not train the tiny model the checkpoint cases need"
  fails=$((fails + 1))
fi
expect_error missing_checkpoint "none.ckpt: checkpoint file not found" eval --checkpoint "$work/none.ckpt" --report "$work/out"
expect_error bad_option "--frobnicate" train --config "$good" --frobnicate --out "$work/out"

[ "$fails" = 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo "all bad-input cases give exit 2 and one line"
