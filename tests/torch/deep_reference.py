#!/usr/bin/python3
"""PyTorch-autograd reference for spikeforge's deep and recurrent layers.

Usage: /usr/bin/python3 deep_reference.py OUT_DIR

Writes OUT_DIR/<case>.txt per case in the format of bptt_reference.py (whose
helpers this script imports); tests/nn/test_torch_deep_reference.cpp rebuilds
each case with the C++ layers and compares. float64 throughout; inputs,
parameters and constants are first rounded to float32 (what C++ holds).

Layers and equations (as in the C++ headers):
  neuron layers (src/nn/plif_neuron.h, alif_neuron.h, ahp_neuron.h, cuba_neuron.h), per step:
    lif:  v = beta r + x                         s = m H(v - theta)
    alif: v = beta r + x, A = theta + gamma a    s = m H(v - A),  a = rho a + (1 - rho) s
    ahp:  v = beta r + x - gamma a               s = m H(v - theta), a = rho a + (1 - rho) s
    cuba: i = alpha i + x, v = beta r + i        s = m H(v - theta)
    reset soft r = v - thr s, hard r = v (1 - s) (thr = A for alif), s detached there with detach_reset
    m = 0 for `refractory` steps after a spike (a constant); plif: beta = sigmoid(p)
  recurrent (src/nn/recurrent_layer.h): c_t = x_t W_in^T + b + s_{t-1} W_rec^T, then the neuron step
  bntt / tdbn (src/nn/temporal_batch_norm.h): per-step BN with gamma_t (no bias) / BN over all steps * alpha theta
Tensors of a neuron case: x [Tin, B, F], ds [T, B, F] (upstream dL/ds), spikes, dx (= d(sum ds*s)/dx),
  and dp [F or 1] for plif. Recurrent: x [Tin, B, I], params (W_in, W_rec, b[, p]), spikes, dparams, dx;
  a tbptt case runs two chunks with the state carried and detached, ds1/ds2, spikes1/spikes2, dx1/dx2,
  dparams summed over both chunks. BN cases: x, R (upstream dy), gamma (and beta), y, dx, dparams,
  running_mean, running_var (after the one training forward).
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bptt_reference as ref  # noqa: E402  (exits 3 with a message when torch is missing)

import numpy as np  # noqa: E402
import torch  # noqa: E402

DTYPE = torch.float64
f32, leaf, flat, CheckError = ref.f32, ref.leaf, ref.flat, ref.CheckError
MARGIN, RATE_MIN, RATE_MAX = ref.MARGIN, 0.05, 0.95


def const(a):
    return torch.tensor(np.asarray(a, dtype=np.float32).astype(np.float64), dtype=DTYPE)


def f32_exp(x):
    return float(np.exp(np.float32(x)))


class Neuron:
    """One population of `kind` neurons over a sequence, with carried state."""

    def __init__(self, kind, c, N):
        self.kind, self.c, self.N = kind, c, N
        self.theta, self.reset, self.detach = c["theta"], c["reset"], bool(c["detach_reset"])
        self.rho = f32_exp(np.float32(-1.0) / np.float32(c.get("tau_adapt", 100.0)))
        k = int(round(c.get("adapt_fraction", 1.0) * N)) if kind in ("alif", "ahp") else 0
        self.gamma = const([c.get("adapt_strength", 1.8) if j < k else 0.0 for j in range(N)])
        self.alpha = c.get("alpha", 0.8)
        self.R = c.get("refractory", 0)
        self.dist = []  # |v - threshold| of every element and step, for the margin check
        self.state = None

    def step(self, x, beta):
        B = x.shape[0]
        if self.state is None:
            z = torch.zeros(B, self.N, dtype=DTYPE)
            self.state = dict(r=z, a=z, i=z, refr=torch.zeros(B, self.N, dtype=DTYPE))
        st = self.state
        m = (st["refr"] <= 0).to(DTYPE)  # may fire: a constant mask
        thr = self.theta
        if self.kind == "cuba":
            st["i"] = self.alpha * st["i"] + x
            v = beta * st["r"] + st["i"]
        elif self.kind == "ahp":
            v = beta * st["r"] + x - self.gamma * st["a"]
        else:
            v = beta * st["r"] + x
        if self.kind == "alif":
            thr = self.theta + self.gamma * st["a"]
        s = ref.SpikeFn.apply(v - thr, self.c["surrogate"], self.c["width"]) * m
        sr = s.detach() if self.detach else s
        st["r"] = v - thr * sr if self.reset == "soft" else v * (1.0 - sr)
        if self.kind in ("alif", "ahp"):
            st["a"] = self.rho * st["a"] + (1.0 - self.rho) * s
        if self.R > 0:
            st["refr"] = torch.where(s.detach() > 0, torch.full_like(st["refr"], float(self.R)),
                                     torch.clamp(st["refr"] - 1.0, min=0.0))
        d = (v - thr).detach().abs()
        self.dist.append(d[m > 0])  # masked neurons cannot fire: their distance does not matter
        return s

    def detach_state(self):
        self.state = {k: v.detach() for k, v in self.state.items()}

    def check(self, name, spikes):
        rate = float(spikes.detach().mean())
        if not (RATE_MIN <= rate <= RATE_MAX):
            raise CheckError("%s: firing rate %.3f outside [%.2f, %.2f]" % (name, rate, RATE_MIN, RATE_MAX))
        dist = min(float(d.min()) for d in self.dist if d.numel() > 0)
        if dist <= MARGIN:
            raise CheckError("%s: a membrane lies %.2e from its threshold" % (name, dist))
        return rate


def neuron_meta(c):
    keys = ["surrogate", "width", "reset", "detach_reset", "beta", "theta", "tau_adapt", "adapt_strength",
            "adapt_fraction", "alpha", "refractory", "learn_beta"]
    m = {k: c[k] for k in keys if k in c}
    for k in ("width", "beta", "theta", "tau_adapt", "adapt_strength", "adapt_fraction", "alpha"):
        if k in m:
            m[k] = f32(m[k])
    m["detach_reset"] = int(m["detach_reset"])
    return m


def beta_of(c, p, N):
    if c.get("learn_beta", "none") == "none":
        return c["beta"]
    return torch.sigmoid(p) if p.numel() == N else torch.sigmoid(p).expand(N)


def logits(c, N, rng):
    """PLIF logits: around logit(beta), spread per neuron so each gets its own gradient."""
    lb = c.get("learn_beta", "none")
    if lb == "none":
        return None
    b = c["beta"]
    base = math.log(b / (1 - b))
    n = N if lb == "neuron" else 1
    return leaf(base + rng.uniform(-0.3, 0.3, n) if lb == "neuron" else [base])


def neuron_case(c, seed):
    """A standalone neuron layer: spikes and dx = d(sum ds * s)/dx (and dp for plif)."""
    T, B, Fn, Tin, kind = c["T"], 3, 7, c["Tin"], c["kind"]
    m = neuron_meta(c)
    last = None
    for attempt in range(300):
        rng = np.random.default_rng(seed * 1000 + attempt)
        x = leaf(rng.normal(c.get("x_mean", 0.45), c.get("x_std", 0.5), (Tin, B, Fn)))
        ds = const(rng.normal(0.0, 1.0, (T, B, Fn)))
        p = logits(m, Fn, rng)
        nrn = Neuron(kind, m, Fn)
        beta = beta_of(m, p, Fn)
        s = torch.stack([nrn.step(x[0] if Tin == 1 else x[t], beta) for t in range(T)])
        try:
            rate = nrn.check(kind, s)
        except CheckError as e:
            last = e
            continue
        (s * ds).sum().backward()
        meta = dict(arch="neuron", kind=kind, T=T, Tin=Tin, B=B, F=Fn, attempt=attempt, rate="%.3f" % rate, **m)
        tensors = [("x", x), ("ds", ds), ("spikes", s), ("dx", x.grad)]
        if p is not None:
            tensors += [("p", p), ("dp", p.grad)]
        return meta, tensors
    raise CheckError("%s: no seed gave valid spiking after 300 attempts (last: %s)" % (kind, last))


def recurrent_case(c, seed):
    """RecurrentLayer: c_t = x_t W_in^T + b + s_{t-1} W_rec^T; one run, or two chunks (tbptt) with the
    state carried and detached between them."""
    T, B, I, N, Tin, kind = c["T"], 3, 5, 6, c["Tin"], c["kind"]
    chunks = c.get("chunks", 1)
    m = neuron_meta(c)
    last = None
    for attempt in range(300):
        rng = np.random.default_rng(seed * 1000 + attempt)
        x = leaf(rng.normal(0.5, 0.6, (Tin * chunks, B, I)))
        w_in = leaf(rng.uniform(-1.0, 1.0, (N, I)) * c.get("gain_in", 1.2) / math.sqrt(I))
        w_rec = leaf(rng.uniform(-1.0, 1.0, (N, N)) * c.get("gain_rec", 1.0) / math.sqrt(N))
        b = leaf(rng.uniform(-0.2, 0.4, (N,)))
        p = logits(m, N, rng)
        params = [w_in, w_rec, b] + ([p] if p is not None else [])
        nrn = Neuron(kind, m, N)
        beta = beta_of(m, p, N)
        outs, dss, xs = [], [], []
        s_prev = None
        for k in range(chunks):
            xk = x[k * Tin:(k + 1) * Tin]
            a = torch.einsum("tbi,ni->tbn", xk, w_in) + b
            out = []
            for t in range(T):
                cur = a[0] if Tin == 1 else a[t]
                if s_prev is not None:
                    cur = cur + s_prev @ w_rec.T
                s_prev = nrn.step(cur, beta)
                out.append(s_prev)
            outs.append(torch.stack(out))
            dss.append(const(rng.normal(0.0, 1.0, (T, B, N))))
            if k + 1 < chunks:  # truncated BPTT: the next chunk starts from constants
                nrn.detach_state()
                s_prev = s_prev.detach()
        try:
            rate = nrn.check("recurrent " + kind, torch.cat(outs))
        except CheckError as e:
            last = e
            continue
        sum((o * d).sum() for o, d in zip(outs, dss)).backward()
        meta = dict(arch="recurrent", kind=kind, T=T, Tin=Tin, B=B, I=I, N=N, chunks=chunks, attempt=attempt,
                    rate="%.3f" % rate, param_layout="w_in[N,I] w_rec[N,N] b[N] (p)", **m)
        tensors = [("x", x), ("params", flat(params)), ("dparams", flat([q.grad for q in params])), ("dx", x.grad)]
        for k in range(chunks):
            tensors += [("ds%d" % (k + 1), dss[k]), ("spikes%d" % (k + 1), outs[k])]
        return meta, tensors
    raise CheckError("recurrent %s: no seed gave valid spiking after 300 attempts (last: %s)" % (kind, last))


def bn_case(c, seed):
    """bntt (per-step statistics and gamma_t) or tdbn (statistics over all steps, times alpha theta)."""
    T, B, C, H, W, Tin, kind = 4, 3, 2, 3, 3, c["Tin"], c["kind"]
    rng = np.random.default_rng(seed)
    x = leaf(rng.normal(0.3, 1.2, (Tin, B, C, H, W)))
    Tout = T if kind == "bntt" else Tin
    R = const(rng.normal(0.0, 1.0, (Tout, B, C, H, W)))
    eps, mom = f32(c["eps"]), f32(0.1)
    if kind == "bntt":
        gamma = leaf(rng.uniform(0.5, 1.5, (T, C)))
        beta = leaf(rng.uniform(-0.5, 0.5, (T, C))) if c["bias"] else None
        ys, rm, rv = [], [], []
        for t in range(T):
            xt = x[0] if Tin == 1 else x[t]
            mean = xt.mean(dim=(0, 2, 3))
            var = ((xt - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
            xh = (xt - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)
            y = gamma[t][None, :, None, None] * xh
            if beta is not None:
                y = y + beta[t][None, :, None, None]
            ys.append(y)
            M = B * H * W
            rm.append(mom * mean.detach())
            rv.append((1 - mom) * 1.0 + mom * var.detach() * M / (M - 1))
        y = torch.stack(ys)
        params = [gamma] + ([beta] if beta is not None else [])
    else:
        scale = f32(f32(c["alpha"]) * f32(c["theta"]))
        gamma = leaf(rng.uniform(0.5, 1.5, (C,)))
        beta = leaf(rng.uniform(-0.5, 0.5, (C,)))
        mean = x.mean(dim=(0, 1, 3, 4))
        var = ((x - mean[None, None, :, None, None]) ** 2).mean(dim=(0, 1, 3, 4))
        xh = (x - mean[None, None, :, None, None]) / torch.sqrt(var[None, None, :, None, None] + eps)
        y = gamma[None, None, :, None, None] * (scale * xh) + beta[None, None, :, None, None]
        M = Tin * B * H * W
        rm = [mom * mean.detach()]
        rv = [(1 - mom) * 1.0 + mom * var.detach() * M / (M - 1)]
        params = [gamma, beta]
    (y * R).sum().backward()
    meta = dict(arch=kind, T=T, Tin=Tin, B=B, C=C, H=H, W=W, eps=eps, bias=int(c.get("bias", 1)),
                alpha=f32(c.get("alpha", 1.0)), theta=f32(c.get("theta", 1.0)))
    tensors = [("x", x), ("R", R), ("params", flat(params)), ("y", y), ("dparams", flat([q.grad for q in params])),
               ("dx", x.grad), ("running_mean", torch.stack(rm)), ("running_var", torch.stack(rv))]
    return meta, tensors


N_COMMON = dict(surrogate="fast_sigmoid", width=0.4, reset="soft", detach_reset=False, beta=0.85, theta=1.0)


def nc(**kw):
    d = dict(N_COMMON)
    d.update(kw)
    return d


CASES = [
    ("alif_soft", neuron_case, nc(kind="alif", T=12, Tin=12, tau_adapt=6.0, adapt_strength=1.5, adapt_fraction=0.7,
                                  x_mean=0.6)),
    ("alif_hard_detach_tin1", neuron_case, nc(kind="alif", T=10, Tin=1, reset="hard", detach_reset=True,
                                              surrogate="arctan", width=0.5, tau_adapt=8.0, adapt_strength=2.0,
                                              x_mean=0.5)),
    ("ahp_soft", neuron_case, nc(kind="ahp", T=12, Tin=12, tau_adapt=10.0, adapt_strength=1.2, adapt_fraction=1.0,
                                 x_mean=0.7, surrogate="triangle", width=0.8)),
    ("ahp_hard_tin1", neuron_case, nc(kind="ahp", T=10, Tin=1, reset="hard", tau_adapt=5.0, adapt_strength=0.8,
                                      x_mean=0.6)),
    ("cuba_soft", neuron_case, nc(kind="cuba", T=10, Tin=10, alpha=0.7, x_mean=0.25, x_std=0.4)),
    ("cuba_hard_detach_tin1", neuron_case, nc(kind="cuba", T=9, Tin=1, alpha=0.6, reset="hard", detach_reset=True,
                                              surrogate="arctan", width=0.3, x_mean=0.2, x_std=0.3)),
    ("plif_neuron_refractory", neuron_case, nc(kind="lif", T=12, Tin=12, learn_beta="neuron", refractory=2,
                                               x_mean=0.6)),
    ("plif_layer_hard", neuron_case, nc(kind="lif", T=10, Tin=1, learn_beta="layer", reset="hard", x_mean=0.45)),
    ("plif_layer_soft", neuron_case, nc(kind="lif", T=9, Tin=9, learn_beta="layer", x_mean=0.5,
                                        surrogate="arctan", width=0.5)),
    ("alif_refractory", neuron_case, nc(kind="alif", T=12, Tin=12, refractory=1, tau_adapt=6.0, adapt_strength=1.0,
                                        x_mean=0.7)),
    ("rec_lif", recurrent_case, nc(kind="lif", T=8, Tin=8)),
    ("rec_lif_hard_tin1", recurrent_case, nc(kind="lif", T=7, Tin=1, reset="hard", surrogate="triangle", width=1.0)),
    ("rec_alif", recurrent_case, nc(kind="alif", T=9, Tin=9, tau_adapt=5.0, adapt_strength=1.5, adapt_fraction=0.5)),
    ("rec_ahp_plif", recurrent_case, nc(kind="ahp", T=8, Tin=8, tau_adapt=4.0, adapt_strength=3.0,
                                        learn_beta="neuron")),
    ("rec_cuba", recurrent_case, nc(kind="cuba", T=8, Tin=8, alpha=0.6, gain_in=0.8)),
    ("rec_alif_tbptt", recurrent_case, nc(kind="alif", T=5, Tin=5, chunks=2, tau_adapt=4.0, adapt_strength=4.0,
                                          learn_beta="layer")),
    ("bntt", bn_case, dict(kind="bntt", Tin=4, bias=0, eps=1e-4)),
    ("bntt_tin1", bn_case, dict(kind="bntt", Tin=1, bias=0, eps=1e-4)),
    ("bntt_bias", bn_case, dict(kind="bntt", Tin=4, bias=1, eps=1e-4)),
    ("tdbn", bn_case, dict(kind="tdbn", Tin=4, eps=1e-5, alpha=0.7071, theta=0.75)),
]


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: deep_reference.py OUT_DIR\n")
        return 2
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for seed, (name, build, cfg) in enumerate(CASES, start=1):
        try:
            meta, tensors = build(cfg, seed)
        except CheckError as e:
            sys.stderr.write("deep_reference.py: case %s: %s\n" % (name, e))
            return 1
        ref.write_case(os.path.join(out_dir, name + ".txt"), dict(name=name, **meta), tensors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
