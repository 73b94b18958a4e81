// Spike data sets in the HDF5 layout of the Spiking Heidelberg Digits (SHD) and
// Spiking Speech Commands (Cramer, Stradmann, Schemmel, Zenke 2020, "The
// Heidelberg spiking data sets", IEEE TNNLS), read through the HDF5 C library.
//
// File layout (one file per partition, e.g. shd_train.h5 / shd_test.h5):
//   /spikes              group
//     attribute num_units  (optional, not in the published files) integer scalar:
//                          the number of input channels; every unit must be below it
//     times              dataset [S], each element a variable-length array of
//                        floats (float16 in the published SHD files, see
//                        neuromorphs/tonic issue #321; any HDF5 float is read as float32,
//                        float16 exactly, float64 rounded): the spike times of
//                        one sample, seconds, finite and >= 0 (SHD: 0 .. ~1.4 s)
//     units              dataset [S], each element a variable-length array of
//                        integers (uint16 in SHD): the input channel of each spike,
//                        same length as the sample's times (SHD: 0 .. 699)
//   /labels              dataset [S] of integers (uint16 in SHD): the class of each sample
//   /extra               group (optional; SHD: speaker, keys, meta_info/...)
//     keys               dataset [K] of strings, the class names (SHD: K = 20);
//                        only its length is read: labels must then be in 0..K-1
// S >= 1 samples; times, units and labels must all have S elements.
// Within a sample, events are kept in the order the file stores them (this
// reader neither sorts them nor relies on an order).
//
// Checked against the published layout: the tree root/spikes/{times,units},
// root/labels, root/extra/{speaker,keys,meta_info} from the data sets' README,
// the way tonic (tonic/datasets/hsd.py) and npvoid/SparseSpikingBackprop
// (train_and_time.py: fileh.root.spikes.units/times, fileh.root.labels) read it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace spikeforge {

// Input channels of the published SHD files (700 cochlea channels). The
// largest unit that fires can be lower in a partition, so num_units as read
// (max unit + 1) can differ between train and test: set both to this.
constexpr int kShdUnits = 700;

struct ShdSpikes {
  int64_t count = 0;             // S samples
  int num_units = 0;             // attribute num_units, else max unit + 1
  int num_classes = 0;           // length of /extra/keys, else max label + 1
  std::vector<int64_t> offsets;  // [S + 1]: sample i's events are [offsets[i], offsets[i+1])
  std::vector<float> times;      // [E], seconds
  std::vector<uint16_t> units;   // [E], 0..num_units-1
  std::vector<int> labels;       // [S], 0..num_classes-1
};

// Reads and checks the whole file. Throws InputError, one line naming the file
// and the dataset, when the file is missing, not HDF5, truncated or corrupt; a
// group or dataset is missing or has the wrong type or rank; times, units and
// labels have different sample counts; a sample's times and units differ in
// length; a time is NaN, infinite or negative; a unit is negative, above 65535
// or not below num_units; no sample has a spike and num_units is not given; a
// label is negative, above 65535 or not below the number of /extra/keys.
ShdSpikes read_shd_spikes(const std::string& path);

}  // namespace spikeforge
