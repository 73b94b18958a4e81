#!/usr/bin/python3
"""Small ONNX models for the command-line tests (onnx_import.sh, onnx_bad_input.sh).

Usage: /usr/bin/python3 make_onnx_models.py OUT_DIR

Written with Debian's python3-onnx (onnx.helper), no torch:
  good.onnx      x [N, 1, 28, 28] -> Conv(4, 3x3, pad 1) -> Relu -> MaxPool 2x2 -> Flatten -> Gemm -> y [N, 10]
  sigmoid.onnx   the same with the Relu replaced by a Sigmoid node named 'act'
  input32.onnx   the same taking x [1, 1, 32, 32]
  absurd.onnx    the Gemm weight claims dims [100000, 100000, 1000] with 16 bytes of data
  short.onnx     the conv weight claims dims [4, 1, 3, 3] with 4 values
  out7.onnx      a Gemm with 7 outputs
Exits non-zero if onnx or numpy cannot be imported.
"""

import os
import sys

try:
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper, save
except ImportError as e:
    sys.stderr.write("make_onnx_models.py: cannot import onnx/numpy (%s); install Debian's python3-onnx\n" % e)
    sys.exit(3)


def tensor(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)


def raw_tensor(name, dims, floats):
    """A tensor whose dims and data disagree (onnx.helper refuses to make one)."""
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    t.raw_data = np.asarray(floats, dtype="<f4").tobytes()
    return t


def build(path, act="Relu", in_dims=(None, 1, 28, 28), classes=10, fc_weight=None, conv_weight=None):
    rng = np.random.default_rng(5)
    inits = [
        conv_weight if conv_weight is not None else tensor("conv.w", rng.normal(0, 0.3, (4, 1, 3, 3))),
        tensor("conv.b", rng.normal(0, 0.1, 4)),
        fc_weight if fc_weight is not None else tensor("fc.w", rng.normal(0, 0.05, (classes, 4 * 14 * 14))),
        tensor("fc.b", rng.normal(0, 0.1, classes)),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "conv.w", "conv.b"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node(act, ["c"], ["a"], name="act"),
        helper.make_node("MaxPool", ["a"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["y"], name="fc", transB=1),
    ]
    dims = ["N" if d is None else d for d in in_dims]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", classes])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="spikeforge-tests")
    save(model, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    build(os.path.join(out, "good.onnx"))
    build(os.path.join(out, "sigmoid.onnx"), act="Sigmoid")
    build(os.path.join(out, "input32.onnx"), in_dims=(1, 1, 32, 32))
    build(os.path.join(out, "absurd.onnx"), fc_weight=raw_tensor("fc.w", [100000, 100000, 1000], [0.0] * 4))
    build(os.path.join(out, "short.onnx"), conv_weight=raw_tensor("conv.w", [4, 1, 3, 3], [0.5] * 4))
    build(os.path.join(out, "out7.onnx"), classes=7)
    return 0


if __name__ == "__main__":
    sys.exit(main())
