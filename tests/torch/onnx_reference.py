#!/usr/bin/python3
"""PyTorch reference for spikeforge's ONNX import.

Usage: /usr/bin/python3 onnx_reference.py OUT_DIR

For each case, builds a small PyTorch network with fixed random weights (and
non-trivial BatchNorm statistics), exports it with torch.onnx.export to
OUT_DIR/<case>.onnx, and writes OUT_DIR/<case>.txt with an input batch and
PyTorch's logits; tests/convert/test_onnx_import.cpp imports each .onnx file,
runs the spikeforge network in eval mode and compares.

The logits are computed in float64 from the float32 parameters (the model is
cast with .double(), which is exact), so they are PyTorch's answer without
float32 rounding; the C++ side runs in float32 from the same numbers.

Cases:
  cnn            conv+BN+ReLU, max pooling (2x2, and 3x3 stride 2 pad 1), a
                 residual block (conv, ReLU, BN, conv, Add of two activations),
                 average pooling with count_include_pad padding (Pad +
                 AveragePool) and without, Flatten, BatchNorm1d, Dropout, a
                 linear head (Gemm, transB = 1); default opset, eval export (BN
                 after a conv is fused into it, BN after a ReLU stays). Also
                 logits_norm: the same network on (x - mean) / std.
  cnn_preserve   the same exported with TrainingMode.PRESERVE (model in eval):
                 Conv -> BatchNormalization unfused
  cnn_opset9     the same at opset 9 (Pad and Clip with attributes)
  reshape_matmul dynamic batch: conv without bias + a bias Add, clamp(0, 6) (Clip),
                 x.view(x.size(0), -1) (Shape/Gather/Unsqueeze/Concat/Reshape),
                 x @ W + b (MatMul + Add), ReLU, torch.addmm (Gemm, transB = 0); opset 13
  reshape_matmul_opset10  the same at opset 10 (Clip attributes, Unsqueeze axes attribute)
  gap_relu6      conv, ReLU6 (Clip), conv, AdaptiveAvgPool2d(1) (GlobalAveragePool), flatten

File format (text, whitespace separated), as tests/torch/bptt_reference.py:
  line 1:  spikeforge_torch_reference 1
  meta <key> <value>
  tensor <name> <ndim> <d0> ... <dn-1>   followed by prod(d) values on the next line
  end
Tensors: x [B, 1, 28, 28] in [0, 1]; logits [B, 10]; cnn also logits_norm [B, 10].
Meta: name, opset (0 = torch's default), input_mean, input_std (cnn).

Exits non-zero with a message on stderr if torch or onnx is missing (the C++
test then fails, never skips) or if an export does not contain the operators
the case is meant to exercise.
"""

import os
import sys

try:
    import numpy as np
    import onnx
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the C++ test must fail, never skip
    sys.stderr.write(
        "onnx_reference.py: cannot import torch/onnx/numpy (%s); run with Debian's /usr/bin/python3 "
        "and python3-torch, python3-onnx installed\n" % e
    )
    sys.exit(3)

B = 16
# Fashion-MNIST's, rounded to float32 (what the C++ normalize layer holds).
INPUT_MEAN, INPUT_STD = float(np.float32(0.2860)), float(np.float32(0.3530))


def randomise_bn(bn, g):
    """Non-trivial statistics and affine parameters, so that a wrong order or a missing eps shows."""
    with torch.no_grad():
        c = bn.num_features
        bn.weight.copy_(torch.rand(c, generator=g) + 0.5)
        bn.bias.copy_(torch.randn(c, generator=g) * 0.2)
        bn.running_mean.copy_(torch.randn(c, generator=g) * 0.3)
        bn.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)


class Cnn(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool1 = nn.MaxPool2d(2)  # the 2x2 fast path
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)  # after a ReLU: exported as BatchNormalization
        self.conv3 = nn.Conv2d(8, 8, 3, padding=1)
        self.pool2 = nn.MaxPool2d(3, stride=2, padding=1)  # MaxPool pads (-inf)
        self.conv4 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool3 = nn.AvgPool2d(3, stride=2, padding=1)  # count_include_pad: Pad + AveragePool
        self.pool4 = nn.AvgPool2d(2)
        self.bn3 = nn.BatchNorm1d(64)
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(64, 10)
        for bn in (self.bn1, self.bn2, self.bn3):
            randomise_bn(bn, g)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))  # [8, 14, 14]
        y = self.conv3(self.bn2(F.relu(self.conv2(x))))
        x = F.relu(x + y)  # residual Add
        x = self.pool2(x)  # [8, 7, 7]
        x = self.pool3(F.relu(self.conv4(x)))  # [16, 4, 4]
        x = self.pool4(x)  # [16, 2, 2]
        x = torch.flatten(x, 1)
        return self.fc(self.drop(self.bn3(x)))


class ReshapeMatmul(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv = nn.Conv2d(1, 6, 5, stride=2, bias=False)  # [6, 12, 12]
        self.cbias = nn.Parameter(torch.randn(1, 6, 1, 1, generator=g) * 0.5)
        self.w = nn.Parameter(torch.randn(6 * 6 * 6, 32, generator=g) * 0.1)
        self.b = nn.Parameter(torch.randn(32, generator=g) * 0.1)
        self.w2 = nn.Parameter(torch.randn(32, 10, generator=g) * 0.3)
        self.b2 = nn.Parameter(torch.randn(10, generator=g) * 0.1)

    def forward(self, x):
        x = torch.clamp(self.conv(x) + self.cbias, 0.0, 6.0)
        x = F.max_pool2d(x, 2)  # [6, 6, 6]
        x = x.view(x.size(0), -1)
        x = F.relu(x @ self.w + self.b)
        return torch.addmm(self.b2, x, self.w2)


class GapRelu6(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 10, 3)
        self.gap = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        x = self.conv2(F.relu6(self.conv1(x)))
        return torch.flatten(self.gap(x), 1)


CASES = [
    # name, model class, export options, op types the export must contain
    ("cnn", Cnn, {}, {"Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "Pad", "AveragePool", "Flatten", "Gemm"}),
    ("cnn_preserve", Cnn, {"training": torch.onnx.TrainingMode.PRESERVE}, {"BatchNormalization"}),
    ("cnn_opset9", Cnn, {"opset_version": 9}, {"Pad", "AveragePool", "BatchNormalization"}),
    (
        "reshape_matmul",
        ReshapeMatmul,
        {"opset_version": 13, "dynamic_axes": {"x": {0: "N"}, "logits": {0: "N"}}},
        {"Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "MatMul", "Add", "Clip", "Gemm", "Constant"},
    ),
    (
        "reshape_matmul_opset10",
        ReshapeMatmul,
        {"opset_version": 10, "dynamic_axes": {"x": {0: "N"}, "logits": {0: "N"}}},
        {"Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "MatMul", "Clip"},
    ),
    ("gap_relu6", GapRelu6, {}, {"Clip", "GlobalAveragePool", "Flatten"}),
]


def write_case(path, meta, tensors):
    with open(path, "w") as f:
        f.write("spikeforge_torch_reference 1\n")
        for k, v in meta.items():
            f.write("meta %s %s\n" % (k, v))
        for name, t in tensors.items():
            a = t.detach().cpu().numpy().astype(np.float64)
            f.write("tensor %s %d %s\n" % (name, a.ndim, " ".join(str(d) for d in a.shape)))
            f.write(" ".join(repr(float(v)) for v in a.reshape(-1)) + "\n")
        f.write("end\n")


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: onnx_reference.py OUT_DIR\n")
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(1234)
    x = torch.rand(B, 1, 28, 28, generator=g)  # float32 images in [0, 1]
    for name, cls, opts, want_ops in CASES:
        torch.manual_seed(7)  # the layers' default initialisation
        model = cls(torch.Generator().manual_seed(99)).eval()
        path = os.path.join(out, name + ".onnx")
        torch.onnx.export(model, x, path, input_names=["x"], output_names=["logits"], **opts)
        ops = {n.op_type for n in onnx.load(path).graph.node}
        if not want_ops <= ops:
            sys.stderr.write("onnx_reference.py: %s exported without %s (ops: %s)\n"
                             % (name, sorted(want_ops - ops), sorted(ops)))
            return 4
        with torch.no_grad():
            m64 = model.double()
            tensors = {"x": x, "logits": m64(x.double())}
            meta = {"name": name, "opset": opts.get("opset_version", 0)}
            if name == "cnn":
                tensors["logits_norm"] = m64((x.double() - INPUT_MEAN) / INPUT_STD)
                meta["input_mean"] = repr(INPUT_MEAN)
                meta["input_std"] = repr(INPUT_STD)
        write_case(os.path.join(out, name + ".txt"), meta, tensors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
