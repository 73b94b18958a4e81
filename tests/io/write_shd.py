#!/usr/bin/python3
"""Writes HDF5 files in the Spiking Heidelberg Digits (SHD) layout with h5py.

Usage: /usr/bin/python3 write_shd.py SPEC.json OUT_DIR

SPEC.json is a list of cases; each case is written to OUT_DIR/<name>.h5 exactly
as the real SHD files are organised (Cramer et al. 2020):

  /spikes/times   1-D, one variable-length array per sample, seconds
  /spikes/units   1-D, one variable-length array per sample, input channel of each spike
  /labels         1-D, one integer per sample
  /extra/keys     (optional) class names, one string per class

Keys of a case (all but name, times, units, labels optional):
  name          file stem
  times         list of lists of numbers (seconds), one list per sample
  units         list of lists of integers, one list per sample
  labels        list of integers
  times_dtype   numpy dtype of the times' elements (default "float32"; SHD: float16 or float32)
  units_dtype   numpy dtype of the units' elements (default "uint16")
  labels_dtype  numpy dtype of the labels (default "uint16")
  omit          list of paths not to write: "spikes" (the whole group), "spikes/times",
                "spikes/units", "labels"
  num_units     integer: written as attribute num_units of the spikes group
  keys          list of strings: written as /extra/keys
  labels_2d     true: write labels with shape [n, 1] instead of [n]

The C++ tests (tests/io/test_hdf5_spikes.cpp, tests/data/test_spike_dataset.cpp)
choose the values, run this script, read the files back and compare. The script
exits non-zero with a message on stderr when h5py (Debian: python3-h5py) is
missing, so those tests fail, never skip.
"""

import json
import os
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:
    sys.stderr.write("write_shd.py: %s; it needs Debian's python3-h5py and python3-numpy "
                     "under /usr/bin/python3 (make setup installs them)\n" % e)
    sys.exit(2)


def write_case(case, out_dir):
    path = os.path.join(out_dir, case["name"] + ".h5")
    omit = set(case.get("omit", []))
    times_dtype = np.dtype(case.get("times_dtype", "float32"))
    units_dtype = np.dtype(case.get("units_dtype", "uint16"))
    labels_dtype = np.dtype(case.get("labels_dtype", "uint16"))
    with h5py.File(path, "w") as f:
        if "spikes" not in omit:
            g = f.create_group("spikes")
            if "num_units" in case:
                g.attrs["num_units"] = np.int64(case["num_units"])
            if "spikes/times" not in omit:
                d = g.create_dataset("times", (len(case["times"]),), dtype=h5py.vlen_dtype(times_dtype))
                for i, t in enumerate(case["times"]):
                    d[i] = np.array(t, dtype=times_dtype)
            if "spikes/units" not in omit:
                d = g.create_dataset("units", (len(case["units"]),), dtype=h5py.vlen_dtype(units_dtype))
                for i, u in enumerate(case["units"]):
                    d[i] = np.array(u, dtype=units_dtype)
        if "labels" not in omit:
            y = np.array(case["labels"], dtype=labels_dtype)
            if case.get("labels_2d"):
                y = y.reshape(-1, 1)
            f.create_dataset("labels", data=y)
        if "keys" in case:
            f.create_group("extra").create_dataset("keys", data=[k.encode() for k in case["keys"]])
    # Read back: what h5py stores is what the C++ test expects.
    with h5py.File(path, "r") as f:
        if "spikes/times" not in omit and "spikes" not in omit:
            for i, t in enumerate(case["times"]):
                got = f["spikes/times"][i]
                want = np.array(t, dtype=times_dtype)
                if got.shape != want.shape or not np.array_equal(got, want, equal_nan=True):
                    sys.stderr.write("write_shd.py: %s: sample %d times read back differ\n" % (path, i))
                    sys.exit(3)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: write_shd.py SPEC.json OUT_DIR\n")
        sys.exit(1)
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    os.makedirs(sys.argv[2], exist_ok=True)
    for case in cases:
        write_case(case, sys.argv[2])


if __name__ == "__main__":
    main()
