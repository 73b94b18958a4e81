#include "io/hdf5_spikes.h"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <utility>

#include "core/error.h"

namespace spikeforge {
namespace {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class H5Id {
 public:
  H5Id() = default;
  H5Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  H5Id(H5Id&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
  H5Id& operator=(H5Id&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  ~H5Id() {
    if (id_ >= 0 && close_) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

// Silences HDF5's automatic error printing for the reader's lifetime: failures
// become one-line InputErrors instead of a stack dump on stderr.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

herr_t innermost_error(unsigned n, const H5E_error2_t* e, void* out) {
  if (n == 0 && e->desc) *static_cast<std::string*>(out) = e->desc;
  return 0;
}

// The innermost message on HDF5's error stack, e.g. "truncated file: eof = ...".
std::string hdf5_reason() {
  std::string msg;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, &msg);
  return msg.empty() ? "HDF5 reported no reason" : "HDF5: " + msg;
}

struct Reader {
  const std::string& path;
  hid_t file;

  [[noreturn]] void fail(const std::string& what) const { throw InputError(path + ": " + what); }
  [[noreturn]] void fail_hdf5(const std::string& what) const { fail(what + " (" + hdf5_reason() + ")"); }

  // Opens the object at `name`, which must exist and be of `type` (H5I_GROUP or H5I_DATASET).
  H5Id open_object(const char* name, H5I_type_t type) const {
    const char* kind = type == H5I_GROUP ? "group" : "dataset";
    htri_t exists = H5Lexists(file, name, H5P_DEFAULT);
    if (exists < 0) fail_hdf5(std::string("cannot look up ") + kind + " " + name);
    if (exists == 0)
      fail(std::string(kind) + " " + name +
           " not found, expected the SHD layout (group spikes with datasets times and units, dataset labels)");
    H5Id obj(H5Oopen(file, name, H5P_DEFAULT), H5Oclose);
    if (!obj.ok()) fail_hdf5(std::string(name) + ": cannot open");
    if (H5Iget_type(obj.get()) != type) fail(std::string(name) + " is not a " + kind + ", expected the SHD layout");
    return obj;
  }
  H5Id open_dataset(const char* name) const { return open_object(name, H5I_DATASET); }

  // Rank-1 dataset: returns its length.
  int64_t length_1d(hid_t dataset, const char* name) const {
    H5Id space(H5Dget_space(dataset), H5Sclose);
    if (!space.ok()) fail_hdf5(std::string(name) + ": cannot read the dataspace");
    int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank != 1) fail(std::string(name) + ": rank " + std::to_string(rank) + ", expected 1 (one entry per sample)");
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space.get(), &n, nullptr);
    return static_cast<int64_t>(n);
  }

  // Element class of a variable-length dataset (H5T_FLOAT for times, H5T_INTEGER for units).
  void expect_vlen_of(hid_t dataset, const char* name, H5T_class_t base, const char* expected) const {
    H5Id type(H5Dget_type(dataset), H5Tclose);
    if (!type.ok()) fail_hdf5(std::string(name) + ": cannot read the datatype");
    if (H5Tget_class(type.get()) != H5T_VLEN)
      fail(std::string(name) + ": not a variable-length array per sample, expected " + expected);
    H5Id super(H5Tget_super(type.get()), H5Tclose);
    if (!super.ok() || H5Tget_class(super.get()) != base)
      fail(std::string(name) + ": wrong element type, expected " + expected);
  }
};

// Variable-length read buffer for one block of samples; HDF5 allocates the
// arrays, the destructor hands them back.
struct VlenBlock {
  hid_t memtype;
  hid_t memspace;
  std::vector<hvl_t> data;
  bool filled = false;
  ~VlenBlock() {
    if (!filled) return;
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(memtype, memspace, H5P_DEFAULT, data.data());
#else
    H5Dvlen_reclaim(memtype, memspace, H5P_DEFAULT, data.data());
#endif
  }
};

std::string at_spike(int64_t sample, size_t k) {
  return "sample " + std::to_string(sample) + ", spike " + std::to_string(k);
}

// Samples are read in blocks so the temporary buffers stay small (SHD's train
// partition holds tens of millions of spikes).
constexpr int64_t kBlock = 1024;

void read_events(const Reader& r, hid_t times_ds, hid_t units_ds, int64_t S, ShdSpikes& out) {
  H5Id time_type(H5Tvlen_create(H5T_NATIVE_FLOAT), H5Tclose);
  H5Id unit_type(H5Tvlen_create(H5T_NATIVE_INT64), H5Tclose);
  H5Id times_space(H5Dget_space(times_ds), H5Sclose);
  H5Id units_space(H5Dget_space(units_ds), H5Sclose);
  if (!time_type.ok() || !unit_type.ok() || !times_space.ok() || !units_space.ok())
    r.fail_hdf5("spikes: cannot set up reading");
  out.offsets.assign(1, 0);
  out.offsets.reserve(S + 1);
  for (int64_t first = 0; first < S; first += kBlock) {
    const hsize_t start = static_cast<hsize_t>(first), n = static_cast<hsize_t>(std::min(kBlock, S - first));
    H5Id memspace(H5Screate_simple(1, &n, nullptr), H5Sclose);
    if (!memspace.ok()) r.fail_hdf5("spikes: cannot set up reading");
    H5Sselect_hyperslab(times_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
    H5Sselect_hyperslab(units_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
    VlenBlock t{time_type.get(), memspace.get(), std::vector<hvl_t>(n)};
    VlenBlock u{unit_type.get(), memspace.get(), std::vector<hvl_t>(n)};
    t.filled = H5Dread(times_ds, time_type.get(), memspace.get(), times_space.get(), H5P_DEFAULT, t.data.data()) >= 0;
    if (!t.filled) r.fail_hdf5("spikes/times: cannot read samples from " + std::to_string(first));
    u.filled = H5Dread(units_ds, unit_type.get(), memspace.get(), units_space.get(), H5P_DEFAULT, u.data.data()) >= 0;
    if (!u.filled) r.fail_hdf5("spikes/units: cannot read samples from " + std::to_string(first));
    for (hsize_t j = 0; j < n; ++j) {
      const int64_t s = first + static_cast<int64_t>(j);
      const size_t len = t.data[j].len;
      if (u.data[j].len != len)
        r.fail("sample " + std::to_string(s) + ": spikes/times has " + std::to_string(len) + " spikes, spikes/units " +
               std::to_string(u.data[j].len) + ", expected equal lengths");
      const float* ts = static_cast<const float*>(t.data[j].p);
      const int64_t* us = static_cast<const int64_t*>(u.data[j].p);
      for (size_t k = 0; k < len; ++k) {
        if (!(std::isfinite(ts[k]) && ts[k] >= 0.f))
          r.fail("spikes/times: " + at_spike(s, k) + ": time " + std::to_string(ts[k]) +
                 " s, expected a finite time >= 0 s");
        if (us[k] < 0 || us[k] > std::numeric_limits<uint16_t>::max())
          r.fail("spikes/units: " + at_spike(s, k) + ": unit " + std::to_string(us[k]) + ", expected 0..65535");
      }
      out.times.insert(out.times.end(), ts, ts + len);
      for (size_t k = 0; k < len; ++k) out.units.push_back(static_cast<uint16_t>(us[k]));
      out.offsets.push_back(static_cast<int64_t>(out.times.size()));
    }
  }
}

// Attribute spikes/num_units if present, else -1.
int64_t read_num_units_attribute(const Reader& r) {
  htri_t has = H5Aexists_by_name(r.file, "spikes", "num_units", H5P_DEFAULT);
  if (has < 0) r.fail_hdf5("spikes: cannot look up attribute num_units");
  if (has == 0) return -1;
  H5Id attr(H5Aopen_by_name(r.file, "spikes", "num_units", H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) r.fail_hdf5("spikes: cannot open attribute num_units");
  H5Id type(H5Aget_type(attr.get()), H5Tclose);
  H5Id space(H5Aget_space(attr.get()), H5Sclose);
  if (!type.ok() || !space.ok() || H5Tget_class(type.get()) != H5T_INTEGER ||
      H5Sget_simple_extent_npoints(space.get()) != 1)
    r.fail("spikes: attribute num_units is not one integer, expected the number of input channels");
  int64_t v = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_INT64, &v) < 0) r.fail_hdf5("spikes: cannot read attribute num_units");
  if (v < 1 || v > 65536) r.fail("spikes: attribute num_units = " + std::to_string(v) + ", expected 1..65536");
  return v;
}

// Number of entries of extra/keys if present, else -1.
int64_t read_num_keys(const Reader& r) {
  htri_t has = H5Lexists(r.file, "extra", H5P_DEFAULT);
  if (has > 0) has = H5Lexists(r.file, "extra/keys", H5P_DEFAULT);
  if (has < 0) r.fail_hdf5("cannot look up extra/keys");
  if (has == 0) return -1;
  H5Id keys = r.open_dataset("extra/keys");
  return r.length_1d(keys.get(), "extra/keys");
}

}  // namespace

ShdSpikes read_shd_spikes(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw InputError(path + ": file not found, expected an HDF5 file in the SHD layout");
  QuietHdf5Errors quiet;
  htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 <= 0) throw InputError(path + ": not an HDF5 file (no HDF5 signature), expected the SHD layout");
  // CLOSE_STRONG: closing the file also closes whatever a failed read left open.
  H5Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.ok() || H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0)
    throw InputError(path + ": cannot set up HDF5 file access (" + hdf5_reason() + ")");
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
  if (!file.ok())
    throw InputError(path + ": cannot open as HDF5, the file is truncated or corrupt (" + hdf5_reason() + ")");
  const Reader r{path, file.get()};

  r.open_object("spikes", H5I_GROUP);
  H5Id times = r.open_dataset("spikes/times");
  H5Id units = r.open_dataset("spikes/units");
  H5Id labels = r.open_dataset("labels");
  r.expect_vlen_of(times.get(), "spikes/times", H5T_FLOAT, "variable-length arrays of float16/float32 (seconds)");
  r.expect_vlen_of(units.get(), "spikes/units", H5T_INTEGER, "variable-length arrays of uint16 (channel)");
  {
    H5Id type(H5Dget_type(labels.get()), H5Tclose);
    if (!type.ok() || H5Tget_class(type.get()) != H5T_INTEGER)
      r.fail("labels: not an integer dataset, expected one integer class per sample");
  }
  const int64_t S = r.length_1d(times.get(), "spikes/times");
  // Each sample takes at least a 16-byte heap reference in the file: a larger
  // count is a corrupt header, not a reason to allocate.
  const auto file_bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  if (S > file_bytes)
    r.fail("spikes/times: " + std::to_string(S) + " samples in a file of " + std::to_string(file_bytes) +
           " bytes, not plausible (corrupt header)");
  const int64_t S_units = r.length_1d(units.get(), "spikes/units");
  const int64_t S_labels = r.length_1d(labels.get(), "labels");
  if (S == 0) r.fail("spikes/times: 0 samples, expected at least 1");
  if (S_units != S)
    r.fail("spikes/units: " + std::to_string(S_units) + " samples, expected " + std::to_string(S) +
           " as in spikes/times");
  if (S_labels != S)
    r.fail("labels: " + std::to_string(S_labels) + " samples, expected " + std::to_string(S) + " as in spikes/times");

  ShdSpikes out;
  out.count = S;
  std::vector<int64_t> y(S);
  if (H5Dread(labels.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, y.data()) < 0)
    r.fail_hdf5("labels: cannot read");
  const int64_t num_keys = read_num_keys(r);
  const int64_t label_limit = num_keys >= 0 ? num_keys : 65536;
  out.labels.resize(S);
  for (int64_t i = 0; i < S; ++i) {
    if (y[i] < 0 || y[i] >= label_limit)
      r.fail("labels: label " + std::to_string(y[i]) + " at sample " + std::to_string(i) + ", expected 0.." +
             std::to_string(label_limit - 1) +
             (num_keys >= 0 ? " (extra/keys names " + std::to_string(num_keys) + " classes)" : ""));
    out.labels[i] = static_cast<int>(y[i]);
  }
  out.num_classes =
      num_keys >= 0 ? static_cast<int>(num_keys) : *std::max_element(out.labels.begin(), out.labels.end()) + 1;

  read_events(r, times.get(), units.get(), S, out);

  const int64_t declared = read_num_units_attribute(r);
  const int max_unit = out.units.empty() ? -1 : *std::max_element(out.units.begin(), out.units.end());
  if (declared >= 0) {
    if (max_unit >= declared)
      r.fail("spikes/units: unit " + std::to_string(max_unit) + ", expected 0.." + std::to_string(declared - 1) +
             " (attribute num_units = " + std::to_string(declared) + ")");
    out.num_units = static_cast<int>(declared);
  } else {
    if (max_unit < 0)
      r.fail("spikes/units: no spikes at all and no attribute num_units, cannot tell the number of input channels");
    out.num_units = max_unit + 1;
  }
  return out;
}

}  // namespace spikeforge
