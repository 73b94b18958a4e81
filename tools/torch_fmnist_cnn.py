#!/usr/bin/python3
"""Train a small PyTorch CNN on Fashion-MNIST and export it to ONNX for `spikeforge import`.

Usage:
  /usr/bin/python3 tools/torch_fmnist_cnn.py [--epochs 5] [--threads N] [--out model.onnx]
                                              [--train-limit N] [--test-limit N] [--data-dir D]
  ./build/spikeforge import model.onnx

Data: the IDX files of Debian's dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz),
read with gzip + numpy. Images are fed as floats in [0, 1], [N, 1, 28, 28]: what
spikeforge's ONNX import gives a model unless --input-mean/--input-std say otherwise.

Network (every operator one spikeforge imports):
  [conv 3x3 pad 1 -> BatchNorm -> ReLU] x2 (32 channels) -> MaxPool 2x2      [32, 14, 14]
  [conv 3x3 pad 1 -> BatchNorm -> ReLU] x2 (64 channels) -> AvgPool 2x2      [64, 7, 7]
  conv 3x3 pad 1 (128) -> BatchNorm -> ReLU -> global average pool -> Dropout -> Linear(128, 10)
Adam with a cosine learning-rate schedule; the test accuracy printed is the
final epoch's (never a best-of-epochs pick). The ONNX file has a dynamic batch.

--train-limit / --test-limit keep the first N images of each split (quick checks).
"""

import argparse
import gzip
import os
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    sys.stderr.write("torch_fmnist_cnn.py: cannot import torch/numpy (%s); use Debian's /usr/bin/python3 "
                     "with python3-torch\n" % e)
    sys.exit(3)


def read_idx(path, magic, header):
    """IDX (big-endian): magic, dims, then unsigned bytes (src/io/idx.h documents the layout)."""
    if not os.path.isfile(path):
        raise SystemExit("torch_fmnist_cnn.py: %s not found (install dataset-fashion-mnist: make setup)" % path)
    with gzip.open(path, "rb") as f:
        raw = f.read()
    got = int.from_bytes(raw[0:4], "big")
    if got != magic:
        raise SystemExit("torch_fmnist_cnn.py: %s: magic 0x%08x, expected 0x%08x" % (path, got, magic))
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(header)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * header)
    if data.size != int(np.prod(dims)):
        raise SystemExit("torch_fmnist_cnn.py: %s: truncated, %d of %d bytes" % (path, data.size, np.prod(dims)))
    return data.reshape(dims)


def load_split(data_dir, split, limit):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"), 0x803, 3)
    y = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"), 0x801, 1)
    if limit > 0:
        x, y = x[:limit], y[:limit]
    images = torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)  # [N, 1, 28, 28] in [0, 1]
    return images, torch.from_numpy(y.astype(np.int64))


def block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


class FmnistCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *block(1, 32), *block(32, 32), nn.MaxPool2d(2),
            *block(32, 64), *block(64, 64), nn.AvgPool2d(2),
            *block(64, 128), nn.AdaptiveAvgPool2d(1),
        )
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc(self.drop(torch.flatten(self.features(x), 1)))


def accuracy(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / max(1, len(x))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--out", default="model.onnx")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--train-limit", type=int, default=0, help="keep the first N training images (0: all)")
    p.add_argument("--test-limit", type=int, default=0, help="keep the first N test images (0: all)")
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    if a.epochs < 1 or a.batch_size < 1 or a.lr <= 0 or a.threads < 0 or a.train_limit < 0 or a.test_limit < 0:
        raise SystemExit("torch_fmnist_cnn.py: --epochs, --batch-size >= 1, --lr > 0, limits and --threads >= 0")
    out_dir = os.path.dirname(os.path.abspath(a.out))
    if not os.path.isdir(out_dir):
        raise SystemExit("torch_fmnist_cnn.py: --out %s: directory %s does not exist" % (a.out, out_dir))
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr = load_split(a.data_dir, "train", a.train_limit)
    xte, yte = load_split(a.data_dir, "test", a.test_limit)

    model = FmnistCnn()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps = a.epochs * ((len(xtr) + a.batch_size - 1) // a.batch_size)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    g = torch.Generator().manual_seed(a.seed)
    for epoch in range(a.epochs):
        model.train()
        t0, loss_sum, n = time.time(), 0.0, 0
        perm = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), a.batch_size):
            idx = perm[i:i + a.batch_size]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss) * len(idx)
            n += len(idx)
        acc = accuracy(model, xte, yte)
        print("epoch %d/%d  loss %.4f  test_accuracy %.4f  %.0f s" % (epoch + 1, a.epochs, loss_sum / n, acc,
                                                                     time.time() - t0), flush=True)

    model.eval()
    tmp = a.out + ".tmp.%d" % os.getpid()  # written whole, then renamed
    torch.onnx.export(model, xte[:1], tmp, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}})
    os.replace(tmp, a.out)
    print("test_accuracy %.4f  (%d test images)  onnx %s" % (acc, len(xte), a.out))
    print("next: spikeforge import %s" % a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
