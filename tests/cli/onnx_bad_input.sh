#!/usr/bin/env bash
# Bad ONNX input to `import` and `eval`: each case must exit 2 with exactly one
# line on stderr that names the problem, and must write nothing (no --out, no
# --report, no checkpoint beside the model).
# Usage: onnx_bad_input.sh SPIKEFORGE_BINARY SOURCE_DIR
set -u
bin=$1
src=$2
source "$(dirname "$0")/lib/check.bash"  # $work, $fails
m="$work/models"
if ! /usr/bin/python3 "$src/tests/cli/make_onnx_models.py" "$m"; then
  echo "FAIL make_onnx_models.py (needs Debian's python3-onnx)"
  exit 1
fi
head -c $(($(stat -c %s "$m/good.onnx") / 2)) "$m/good.onnx" >"$m/truncated.onnx"
printf 'not a model\n' >"$m/text.onnx"

# expect_error NAME PATTERN ARGS...: exit 2, one stderr line matching PATTERN, nothing written.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  rm -rf "$work/out" "$work/out.json"
  "$bin" "$@" >"$work/stdout" 2>"$work/stderr"
  local code=$? lines written
  lines=$(wc -l <"$work/stderr")
  written=$(ls "$work/out" "$work/out.json" "$m"/*.ckpt "$m"/*.tmp.* 2>/dev/null | tr '\n' ' ')
  if [ "$code" != 2 ] || [ "$lines" != 1 ] || ! grep -qE -- "$pattern" "$work/stderr" || [ -n "$written" ]; then
    echo "FAIL $name: exit $code, $lines stderr lines, written: ${written:-nothing}"
    sed 's/^/  stderr: /' "$work/stderr" | head -5
    fails=$((fails + 1))
  else
    echo "ok   $name: $(cat "$work/stderr")"
  fi
}

for cmd in import eval; do
  # The model argument as each command takes it.
  args() { if [ "$cmd" = import ]; then echo import "$1" --report "$work/out.json"; else echo eval --checkpoint "$1" --report "$work/out.json"; fi; }
  # shellcheck disable=SC2046
  expect_error "$cmd.truncated" "truncated.onnx: not a valid ONNX model \(protobuf parse failed: truncated or corrupt" $(args "$m/truncated.onnx")
  # shellcheck disable=SC2046
  expect_error "$cmd.not_protobuf" "text.onnx: (not a valid|invalid) ONNX model" $(args "$m/text.onnx")
  # shellcheck disable=SC2046
  expect_error "$cmd.unsupported_op" "sigmoid.onnx: node 'act' \(op Sigmoid\) is not supported; supported: Add," $(args "$m/sigmoid.onnx")
  # shellcheck disable=SC2046
  expect_error "$cmd.input_shape" "input32.onnx: input 'x' has shape \[1, 1, 32, 32\], the data has images \[N, 1, 28, 28\]" $(args "$m/input32.onnx")
  # shellcheck disable=SC2046
  expect_error "$cmd.absurd_dims" "absurd.onnx: initializer 'fc.w' has dims \[100000, 100000, 1000\], expected dims >= 0 and at most" $(args "$m/absurd.onnx")
  # shellcheck disable=SC2046
  expect_error "$cmd.short_data" "short.onnx: initializer 'conv.w' has dims \[4, 1, 3, 3\] \(36 elements\) but 16 bytes of data" $(args "$m/short.onnx")
  # shellcheck disable=SC2046
  expect_error "$cmd.output_width" "out7.onnx: the model has 7 outputs, expected 10" $(args "$m/out7.onnx")
  # shellcheck disable=SC2046
  expect_error "$cmd.missing" "none.onnx: ONNX file not found" $(args "$m/none.onnx")
  # shellcheck disable=SC2046
  expect_error "$cmd.bad_std" "--input-std 0, expected a finite number > 0" $(args "$m/good.onnx") --input-std 0
done
expect_error import.out_dir_missing "--out $work/nodir/x.ckpt: directory $work/nodir does not exist" import "$m/good.onnx" --out "$work/nodir/x.ckpt" --report "$work/out.json"
expect_error import.out_is_model "--out $m/good.onnx is the model being imported" import "$m/good.onnx" --out "$m/good.onnx" --report "$work/out.json"
expect_error import.missing_data "t10k-images-idx3-ubyte.gz.*not found" import "$m/good.onnx" --data-dir "$work/nodata" --report "$work/out.json"

[ "$fails" = 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo "all bad ONNX cases give exit 2 and one line"
