#!/usr/bin/env bash
# `import` and `eval` on a good ONNX model: import prints the layer table,
# writes the checkpoint beside the model (default) and the JSON report; eval on
# that checkpoint and eval straight on the .onnx give import's ann_accuracy;
# --input-mean/--input-std put a normalize layer first.
# Usage: onnx_import.sh SPIKEFORGE_BINARY SOURCE_DIR
set -u
bin=$1
src=$2
source "$(dirname "$0")/lib/check.bash"  # $work, $fails
fail() {
  echo "FAIL $*"
  fails=$((fails + 1))
}
m="$work/models"
/usr/bin/python3 "$src/tests/cli/make_onnx_models.py" "$m" || { echo "FAIL make_onnx_models.py (needs python3-onnx)"; exit 1; }

# field FILE KEY: a top-level JSON value (python's json: the report must parse).
field() { /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

if "$bin" import "$m/good.onnx" --report "$work/import.json" --threads 2 >"$work/import.out" 2>"$work/import.err"; then
  [ -f "$m/good.ckpt" ] || fail "import wrote no $m/good.ckpt"
  grep -qE "^ +0 +conv +conv2d +\[1, 28, 28\] +\[4, 28, 28\] +40$" "$work/import.out" || fail "layer table: no conv row"
  grep -qE "^ +4 +fc +linear +\[784, 1, 1\] +\[10, 1, 1\] +7850$" "$work/import.out" || fail "layer table: no fc row"
  acc=$(field "$work/import.json" ann_accuracy)
  [ "$(field "$work/import.json" parameters)" = 7890 ] || fail "report parameters != 7890"
  /usr/bin/python3 - "$work/import.json" <<'PY' || fail "report layers/config/ann_accuracy malformed"
import json, sys
r = json.load(open(sys.argv[1]))
assert 0.0 <= r["ann_accuracy"] <= 1.0
assert [l["type"] for l in r["layers"]] == ["conv2d", "relu", "maxpool2d", "flatten", "linear"], r["layers"]
assert r["config"]["timesteps"] == 1 and len(r["config"]["layers"]) == 5
PY
  "$bin" eval --checkpoint "$m/good.ckpt" --report "$work/eval_ckpt.json" >/dev/null 2>&1 || fail "eval of the checkpoint"
  "$bin" eval --checkpoint "$m/good.onnx" --report "$work/eval_onnx.json" >/dev/null 2>&1 || fail "eval of the .onnx"
  [ "$(field "$work/eval_ckpt.json" test_accuracy)" = "$acc" ] || fail "eval of the checkpoint: accuracy != import's $acc"
  [ "$(field "$work/eval_onnx.json" test_accuracy)" = "$acc" ] || fail "eval of the .onnx: accuracy != import's $acc"
  echo "ok   import + eval (.ckpt and .onnx): ann_accuracy $acc"
else
  fail "import of good.onnx: $(cat "$work/import.err")"
fi

if "$bin" import "$m/good.onnx" --input-mean 0.286 --input-std 0.353 --out "$work/norm.ckpt" --report "$work/norm.json" >/dev/null 2>&1; then
  /usr/bin/python3 - "$work/norm.json" <<'PY' || fail "normalize: report does not start with a normalize layer"
import json, sys
r = json.load(open(sys.argv[1]))
first = r["config"]["layers"][0]
assert r["layers"][0]["type"] == "normalize" and abs(first["mean"] - 0.286) < 1e-6 and abs(first["std"] - 0.353) < 1e-6, first
PY
  "$bin" eval --checkpoint "$m/good.onnx" --input-mean 0.286 --input-std 0.353 --report "$work/norm_eval.json" >/dev/null 2>&1 ||
    fail "eval of the .onnx with --input-mean/--input-std"
  [ "$(field "$work/norm_eval.json" test_accuracy)" = "$(field "$work/norm.json" ann_accuracy)" ] || fail "normalize: eval != import"
  echo "ok   --input-mean/--input-std: a normalize layer first"
else
  fail "import with --input-mean/--input-std"
fi
"$bin" eval --checkpoint "$work/norm.ckpt" --input-mean 0.5 >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q "apply to ONNX models only" "$work/err" || fail "eval of a checkpoint with --input-mean: $(cat "$work/err")"

[ "$fails" = 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "import and eval agree"
