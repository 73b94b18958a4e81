#!/usr/bin/python3
"""PyTorch-autograd reference for spikeforge's surrogate-gradient BPTT.

Usage: /usr/bin/python3 bptt_reference.py OUT_DIR

Writes one text file OUT_DIR/<case>.txt per case; tests/nn/test_torch_reference.cpp
rebuilds each case with the C++ API and compares. Everything is float64 in torch;
parameters, inputs and LIF constants are first rounded to float32 so that the
C++ run (float32) starts from exactly the same numbers.

Equations (as in src/nn/lif_neuron.h, surrogate.h, leaky_readout.h, loss.h):
  LIF:     v_t = beta r_{t-1} + x_t,  s_t = H(v_t - theta)  (spike when v >= theta)
           soft r_t = v_t - theta s_t,  hard r_t = v_t (1 - s_t)
           detach_reset: s is detached inside the reset expression
  readout: v_t = beta v_{t-1} + x_t, output v_t
  ce_count: z = sum_t out_t;  ce_mem_mean: z = mean_t out_t;  L = mean_b CE(z_b, y_b)
Surrogates g(u), u = v - theta, width w:
  arctan 1/(1+(pi u/(2w))^2), fast_sigmoid 1/(1+|u|/w)^2, triangle max(0, 1-|u|/w)

File format (text, whitespace separated):
  line 1:  spikeforge_torch_reference 1
  meta <key> <value>                  case configuration (strings / numbers)
  tensor <name> <ndim> <d0> ... <dn-1>   followed by prod(d) values on the next line
  end
Tensors of a network case:
  x [Tin, B, C, H, W-flat...]  input;  labels [B];  params [P] in the C++ flat order
  (for each layer in order: weight in PyTorch layout [O, I] or [O, C, K, K], then bias);
  loss [] ; out [T, B, K] (network output: spikes, or readout membrane);
  spikes<i> [T, B, F] the output spikes of the i-th spiking layer (1-based);
  dparams [P] dL/dparams in the same order;  dx [Tin, B, ...] dL/dx.
Tensors of a lif_layer case (a standalone LifLayer, upstream gradient ds given):
  x [Tin, B, F], spikes [T, B, F], ds [T, B, F], dx [Tin, B, F] = d(sum ds*s)/dx.

Exits non-zero with a message on stderr if torch is missing or a sanity check
(firing rate, distance to threshold, pooling tie order) fails.
"""

import json
import math
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # the C++ test must fail, never skip, without torch
    sys.stderr.write(
        "bptt_reference.py: cannot import torch/numpy (%s); run with Debian's /usr/bin/python3 "
        "and python3-torch installed\n" % e
    )
    sys.exit(3)

DTYPE = torch.float64
MARGIN = 1e-4  # no membrane within this of theta: float32 and float64 must agree on every spike
RATE_MIN, RATE_MAX = 0.05, 0.95


class CheckError(Exception):
    pass


def f32(v):
    """A Python float exactly representable in float32 (what the C++ side holds)."""
    return float(np.float32(v))


# ----------------------------------------------------------------------------
# Spike function with surrogate gradient.
def surrogate_grad(kind, u, w):
    if kind == "arctan":
        z = math.pi * u / (2.0 * w)
        return 1.0 / (1.0 + z * z)
    if kind == "fast_sigmoid":
        d = 1.0 + u.abs() / w
        return 1.0 / (d * d)
    if kind == "triangle":
        return torch.clamp(1.0 - u.abs() / w, min=0.0)
    raise ValueError(kind)


class SpikeFn(torch.autograd.Function):
    """forward: H(u) with H(0) = 1; backward: grad * g(u)."""

    @staticmethod
    def forward(ctx, u, kind, width):
        ctx.save_for_backward(u)
        ctx.kind, ctx.width = kind, width
        return (u >= 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        return grad * surrogate_grad(ctx.kind, u, ctx.width), None, None


class Lif:
    """LIF over a sequence x [Tin, B, ...] -> spikes [T, B, ...]; records v for checks."""

    def __init__(self, beta, theta, reset, detach_reset, surrogate, width):
        self.beta, self.theta, self.reset = beta, theta, reset
        self.detach_reset, self.surrogate, self.width = detach_reset, surrogate, width
        self.v_record = []  # pre-reset membranes, for the margin check

    def __call__(self, x, T):
        r = None
        out = []
        self.v_record = []
        for t in range(T):
            xt = x[0] if x.shape[0] == 1 else x[t]  # Tin = 1: the same input every step
            v = xt if r is None else self.beta * r + xt  # v_t = beta r_{t-1} + x_t (r_{-1} = 0)
            s = SpikeFn.apply(v - self.theta, self.surrogate, self.width)  # s_t = H(v_t - theta)
            sr = s.detach() if self.detach_reset else s
            if self.reset == "soft":
                r = v - self.theta * sr  # r_t = v_t - theta s_t
            else:
                r = v * (1.0 - sr)  # r_t = v_t (1 - s_t)
            self.v_record.append(v.detach())
            out.append(s)
        return torch.stack(out)


def leaky_readout(x, T, beta):
    out, v = [], None
    for t in range(T):
        xt = x[0] if x.shape[0] == 1 else x[t]
        v = xt if v is None else beta * v + xt
        out.append(v)
    return torch.stack(out)


def check_spiking(name, lif, spikes):
    """Firing rate in [5%, 95%] and no membrane within MARGIN of theta."""
    rate = float(spikes.detach().mean())
    if not (RATE_MIN <= rate <= RATE_MAX):
        raise CheckError("%s: firing rate %.3f outside [%.2f, %.2f]" % (name, rate, RATE_MIN, RATE_MAX))
    dist = min(float((v - lif.theta).abs().min()) for v in lif.v_record)
    if dist <= MARGIN:
        raise CheckError("%s: a membrane lies %.2e from theta, expected > %.0e" % (name, dist, MARGIN))
    return rate


def maxpool_first_max(x, k):
    """F.max_pool2d, checked to route the gradient to the first maximum in window scan order (as the C++)."""
    y, idx = F.max_pool2d(x, k, stride=k, return_indices=True)
    xn = x.detach().numpy()
    n, c, h, w = xn.shape
    for a in range(n):
        for ch in range(c):
            for oy in range(h // k):
                for ox in range(w // k):
                    best = (oy * k) * w + ox * k
                    for ky in range(k):
                        for kx in range(k):
                            i = (oy * k + ky) * w + ox * k + kx
                            if xn[a, ch].flat[i] > xn[a, ch].flat[best]:
                                best = i
                    if int(idx[a, ch, oy, ox]) != best:
                        raise CheckError("max_pool2d: torch picked index %d, first maximum is %d"
                                         % (int(idx[a, ch, oy, ox]), best))
    return y


def ce_loss(out, labels, kind):
    z = out.sum(0) if kind == "ce_count" else out.mean(0)  # [B, K]
    return F.cross_entropy(z, labels, reduction="mean")


# ----------------------------------------------------------------------------
# Parameter helpers: float32-rounded float64 leaves.
def leaf(a):
    return torch.tensor(np.asarray(a, dtype=np.float32).astype(np.float64), dtype=DTYPE, requires_grad=True)


def linear_params(rng, o, i, gain, bias_shift=0.0):
    """Uniform(+-gain/sqrt(fan_in)) weight [O, I] and bias [O] (+ bias_shift, to push a layer towards theta)."""
    bound = gain / math.sqrt(i)
    return [leaf(rng.uniform(-bound, bound, (o, i))), leaf(rng.uniform(-bound, bound, (o,)) + bias_shift)]


def conv_params(rng, o, c, k, gain, bias_shift=0.0):
    bound = gain / math.sqrt(c * k * k)
    return [leaf(rng.uniform(-bound, bound, (o, c, k, k))), leaf(rng.uniform(-bound, bound, (o,)) + bias_shift)]


# ----------------------------------------------------------------------------
# Cases.
def neuron_meta(c):
    return {
        "surrogate": c["surrogate"],
        "width": f32(c["width"]),
        "reset": c["reset"],
        "detach_reset": int(c["detach_reset"]),
        "beta": f32(c["beta"]),
        "theta": f32(c["theta"]),
    }


def make_lif(m):
    return Lif(m["beta"], m["theta"], m["reset"], bool(m["detach_reset"]), m["surrogate"], m["width"])


def mlp_case(c, seed):
    """Linear(20->16)+LIF, Linear(16->5)+LIF, loss ce_count."""
    T, B, Tin, I, H, K = 6, 3, c.get("Tin", 6), 20, 16, 5
    m = neuron_meta(c)
    last = None
    for attempt in range(200):
        rng = np.random.default_rng(seed * 1000 + attempt)
        x = leaf(rng.normal(0.4, 0.8, (Tin, B, I)))
        p = linear_params(rng, H, I, 2.5) + linear_params(rng, K, H, 4.0, bias_shift=0.3)
        labels = torch.tensor(rng.integers(0, K, B), dtype=torch.long)
        lif1, lif2 = make_lif(m), make_lif(m)
        s1 = lif1(F.linear(x, p[0], p[1]), T)
        s2 = lif2(F.linear(s1, p[2], p[3]), T)
        try:
            rates = (check_spiking("mlp lif1", lif1, s1), check_spiking("mlp lif2", lif2, s2))
        except CheckError as e:
            last = e
            continue
        loss = ce_loss(s2, labels, "ce_count")
        loss.backward()
        meta = dict(arch="mlp", loss="ce_count", T=T, Tin=Tin, B=B, input_shape="%d 1 1" % I, K=K, attempt=attempt,
                    rates=" ".join("%.3f" % r for r in rates),
                    param_layout="fc1.weight[16,20] fc1.bias[16] fc2.weight[5,16] fc2.bias[5]", **m)
        tensors = [("x", x), ("labels", labels), ("params", flat(p)), ("loss", loss), ("out", s2),
                   ("spikes1", s1), ("spikes2", s2), ("dparams", flat([q.grad for q in p])), ("dx", x.grad)]
        return meta, tensors
    raise CheckError("mlp: no seed gave valid spiking after 200 attempts (last: %s)" % last)


def conv_case(c, seed):
    """Conv(1->4,3,p1)+LIF, MaxPool2, Conv(4->6,3,p1)+LIF, AvgPool2, Flatten, Linear(24->5), readout; ce_mem_mean."""
    T, B, Tin, K = 4, 2, c.get("Tin", 4), 5
    m = neuron_meta(c)
    rbeta = f32(c["readout_beta"])
    last = None
    for attempt in range(200):
        rng = np.random.default_rng(seed * 1000 + attempt)
        x = leaf(rng.normal(0.5, 1.0, (Tin, B, 1, 8, 8)))
        p = conv_params(rng, 4, 1, 3, 3.0) + conv_params(rng, 6, 4, 3, 3.0, bias_shift=0.4) + \
            linear_params(rng, K, 24, 1.0)
        labels = torch.tensor(rng.integers(0, K, B), dtype=torch.long)
        lif1, lif2 = make_lif(m), make_lif(m)
        a = F.conv2d(x.reshape(Tin * B, 1, 8, 8), p[0], p[1], padding=1).reshape(Tin, B, 4, 8, 8)
        s1 = lif1(a, T)  # [T, B, 4, 8, 8]
        try:
            q = maxpool_first_max(s1.reshape(T * B, 4, 8, 8), 2)  # [T*B, 4, 4, 4]
            a2 = F.conv2d(q, p[2], p[3], padding=1).reshape(T, B, 6, 4, 4)
            s2 = lif2(a2, T)
            rates = (check_spiking("conv lif1", lif1, s1), check_spiking("conv lif2", lif2, s2))
        except CheckError as e:
            last = e
            continue
        g = F.avg_pool2d(s2.reshape(T * B, 6, 4, 4), 2, stride=2).reshape(T, B, 24)  # flatten: C-major
        out = leaky_readout(F.linear(g, p[4], p[5]), T, rbeta)  # [T, B, 5]
        loss = ce_loss(out, labels, "ce_mem_mean")
        loss.backward()
        meta = dict(arch="conv", loss="ce_mem_mean", T=T, Tin=Tin, B=B, input_shape="1 8 8", K=K,
                    readout_beta=rbeta, attempt=attempt, rates=" ".join("%.3f" % r for r in rates),
                    param_layout="conv1.weight[4,1,3,3] conv1.bias[4] conv2.weight[6,4,3,3] conv2.bias[6] "
                                 "fc.weight[5,24] fc.bias[5]", **m)
        tensors = [("x", x), ("labels", labels), ("params", flat(p)), ("loss", loss), ("out", out),
                   ("spikes1", s1), ("spikes2", s2), ("dparams", flat([q.grad for q in p])), ("dx", x.grad)]
        return meta, tensors
    raise CheckError("conv: no seed gave valid spiking after 200 attempts (last: %s)" % last)


def lif_layer_case(c, seed):
    """A standalone LIF population, F = 7, upstream gradient ds: dx = d(sum ds * s)/dx."""
    T, B, Fn, Tin = 8, 3, 7, c["Tin"]
    m = neuron_meta(c)
    last = None
    for attempt in range(200):
        rng = np.random.default_rng(seed * 1000 + attempt)
        x = leaf(rng.normal(0.45, 0.5, (Tin, B, Fn)))
        ds = torch.tensor(rng.normal(0.0, 1.0, (T, B, Fn)).astype(np.float32).astype(np.float64), dtype=DTYPE)
        lif = make_lif(m)
        s = lif(x, T)
        try:
            rates = (check_spiking("lif_layer", lif, s),)
        except CheckError as e:
            last = e
            continue
        (s * ds).sum().backward()
        meta = dict(arch="lif_layer", T=T, Tin=Tin, B=B, input_shape="%d 1 1" % Fn, attempt=attempt,
                    rates=" ".join("%.3f" % r for r in rates), **m)
        return meta, [("x", x), ("spikes", s), ("ds", ds), ("dx", x.grad)]
    raise CheckError("lif_layer: no seed gave valid spiking after 200 attempts (last: %s)" % last)


CASES = [
    # name, builder, config (width, beta, theta are rounded to float32 before use)
    ("mlp_arctan_soft", mlp_case, dict(surrogate="arctan", width=0.5, reset="soft", detach_reset=False,
                                       beta=0.9, theta=1.0)),
    ("mlp_fast_sigmoid_hard", mlp_case, dict(surrogate="fast_sigmoid", width=0.25, reset="hard",
                                             detach_reset=False, beta=0.85, theta=1.0)),
    ("mlp_triangle_soft_detach", mlp_case, dict(surrogate="triangle", width=1.0, reset="soft", detach_reset=True,
                                                beta=0.9, theta=0.75)),
    ("mlp_arctan_hard_detach", mlp_case, dict(surrogate="arctan", width=0.3, reset="hard", detach_reset=True,
                                              beta=0.8, theta=1.0)),
    ("mlp_triangle_hard_tin1", mlp_case, dict(surrogate="triangle", width=0.6, reset="hard", detach_reset=False,
                                              beta=0.9, theta=1.0, Tin=1)),
    ("conv_arctan_soft", conv_case, dict(surrogate="arctan", width=0.5, reset="soft", detach_reset=False,
                                         beta=0.9, theta=1.0, readout_beta=0.8)),
    ("conv_triangle_hard_detach", conv_case, dict(surrogate="triangle", width=0.8, reset="hard",
                                                  detach_reset=True, beta=0.85, theta=1.0, readout_beta=0.95)),
    ("conv_fast_sigmoid_soft_detach_tin1", conv_case, dict(surrogate="fast_sigmoid", width=0.4, reset="soft",
                                                           detach_reset=True, beta=0.9, theta=1.0,
                                                           readout_beta=0.9, Tin=1)),
    ("lif_fast_sigmoid_soft", lif_layer_case, dict(surrogate="fast_sigmoid", width=0.5, reset="soft",
                                                   detach_reset=False, beta=0.9, theta=1.0, Tin=8)),
    ("lif_triangle_hard", lif_layer_case, dict(surrogate="triangle", width=0.7, reset="hard", detach_reset=False,
                                               beta=0.8, theta=1.0, Tin=8)),
    ("lif_arctan_soft_detach_tin1", lif_layer_case, dict(surrogate="arctan", width=0.5, reset="soft",
                                                         detach_reset=True, beta=0.9, theta=1.0, Tin=1)),
    ("lif_fast_sigmoid_hard_detach_tin1", lif_layer_case, dict(surrogate="fast_sigmoid", width=0.3, reset="hard",
                                                               detach_reset=True, beta=0.95, theta=1.0, Tin=1)),
]


# ----------------------------------------------------------------------------
# Output.
def flat(ts):
    return torch.cat([t.detach().reshape(-1) for t in ts])


def write_case(path, meta, tensors):
    lines = ["spikeforge_torch_reference 1"]
    for k, v in meta.items():
        lines.append("meta %s %s" % (k, v))
    for name, t in tensors:
        a = t.detach().numpy()
        lines.append(("tensor %s %d %s" % (name, a.ndim, " ".join(str(d) for d in a.shape))).rstrip())
        if a.dtype.kind in "iu":
            lines.append(" ".join(str(int(v)) for v in a.reshape(-1)))
        else:
            lines.append(" ".join(repr(float(v)) for v in a.reshape(-1)))  # shortest exact float64
    lines.append("end")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: bptt_reference.py OUT_DIR\n")
        return 2
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    index = {}
    for seed, (name, build, cfg) in enumerate(CASES, start=1):
        try:
            meta, tensors = build(cfg, seed)
        except CheckError as e:
            sys.stderr.write("bptt_reference.py: case %s: %s\n" % (name, e))
            return 1
        meta = dict(name=name, **meta)
        write_case(os.path.join(out_dir, name + ".txt"), meta, tensors)
        index[name] = meta
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
