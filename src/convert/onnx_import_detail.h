// Internals of the ONNX importer (convert/onnx_import.h), shared by its two
// source files: the graph walk (onnx_import.cpp) and the operator handlers
// (onnx_import_ops.cpp). Not an interface: nothing outside convert includes it.
#pragma once
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "convert/onnx_import.h"
#include "core/error.h"
#include "nn/network.h"

namespace spikeforge::onnx_detail {

constexpr int64_t kBatch = std::numeric_limits<int64_t>::min();  // "N" inside shape constants

// "[N, 8, 14, 14]"
std::string shape_str(const std::vector<int64_t>& dims);

// A tensor during the walk: a constant, a layer's output (an activation), or
// an activation with a pending zero Pad that the next Conv/pool absorbs.
struct Value {
  enum class Kind { Const, Act, Padded };
  Kind kind = Kind::Const;
  OnnxTensor c;                        // Const
  int node = Network::kInput;          // Act/Padded: the layer that produced it
  int version = 0;                     // the producer's version when read (bias folds bump it)
  int rank = 4;                        // 4: [N, C, H, W]; 2: [N, F] with shape {F, 1, 1}
  FeatShape shape;                     // per sample
  int pad = 0;                         // Padded: zeros on each side of H and W
  std::string pad_node;                // Padded: the Pad node, for messages
  std::vector<int64_t> dims() const {  // [N, ...] as ONNX sees it
    if (rank == 2) return {kBatch, shape.C};
    return {kBatch, shape.C, shape.H, shape.W};
  }
};

// A layer being assembled.
struct Pending {
  LayerSpec spec;
  std::vector<int> inputs;  // layer indices or Network::kInput
  std::vector<float> params, buffers;
  FeatShape out;
  int rank = 4;
  int version = 0;
  bool read = false;  // some later layer (or the graph output) reads it
};

class Importer {
 public:
  Importer(const OnnxModel& m, const OnnxImportOptions& o) : m_(m), o_(o), origin_(m.path) {}
  ImportedNetwork run();

 private:
  // --- messages
  std::string node_name(const OnnxNode& n) const {
    return n.name.empty() ? n.op_type + "_" + std::to_string(&n - m_.nodes.data()) : n.name;
  }
  std::string where(const OnnxNode& n) const {
    return origin_ + ": node '" + node_name(n) + "' (op " + n.op_type + ")";
  }
  [[noreturn]] void fail(const OnnxNode& n, const std::string& what) const { throw InputError(where(n) + ": " + what); }
  // "<where> is not supported; ...": the node itself, not one of its settings.
  [[noreturn]] void refuse(const OnnxNode& n, const std::string& what) const {
    throw InputError(where(n) + " " + what);
  }
  [[noreturn]] void fail_shape(const OnnxNode& n, const std::string& what) const {
    throw ShapeError(where(n) + ": " + what);
  }

  // --- inputs and attributes
  bool has_in(const OnnxNode& n, size_t k) const { return k < n.inputs.size() && !n.inputs[k].empty(); }
  const Value& in(const OnnxNode& n, size_t k) const;
  const OnnxTensor& const_in(const OnnxNode& n, size_t k, const char* what) const;
  const OnnxTensor& float_in(const OnnxNode& n, size_t k, const char* what, int64_t numel = -1) const;
  float scalar_in(const OnnxNode& n, size_t k, const char* what) const;
  const OnnxTensor& fold_in(const OnnxNode& n, size_t k) const;
  Value act_in(const OnnxNode& n, size_t k, bool padded_ok = false) const;
  int64_t attr_int(const OnnxNode& n, const char* name, int64_t def) const;
  float attr_float(const OnnxNode& n, const char* name, float def) const;
  std::vector<int64_t> attr_ints(const OnnxNode& n, const char* name, std::vector<int64_t> def) const;
  std::string attr_string(const OnnxNode& n, const char* name, const std::string& def) const;
  void set_out(const OnnxNode& n, size_t k, Value v) { values_[n.outputs.at(k)] = std::move(v); }
  bool live(const std::string& name) const { return !name.empty() && live_.count(name); }
  void no_live_extra_outputs(const OnnxNode& n, const char* what) const;

  // --- layers
  Value emit(const std::string& name, LayerSpec s, const std::vector<Value>& ins, FeatShape out, int rank,
             std::vector<float> params = {}, std::vector<float> buffers = {});
  void input_layers();

  // --- operators
  void visit(const OnnxNode& n);
  void op_constant(const OnnxNode& n);
  void op_shape(const OnnxNode& n);
  void op_gather(const OnnxNode& n);
  void op_unsqueeze(const OnnxNode& n);
  void op_concat(const OnnxNode& n);
  void op_conv(const OnnxNode& n);
  void op_gemm(const OnnxNode& n, bool matmul);
  void op_add(const OnnxNode& n);
  void fold_bias(const OnnxNode& n, const Value& a, const OnnxTensor& c);
  void op_clip(const OnnxNode& n);
  void op_pool(const OnnxNode& n, bool max);
  void op_pad(const OnnxNode& n);
  void op_batchnorm(const OnnxNode& n);
  void op_flatten(const OnnxNode& n);
  void op_reshape(const OnnxNode& n);
  // kernel, stride, pad of a Conv/pool node: square, equal, symmetric.
  struct Window {
    int k, s, p;
  };
  Window window(const OnnxNode& n, std::vector<int64_t> kernel) const;

  const OnnxModel& m_;
  const OnnxImportOptions& o_;
  std::string origin_;
  std::map<std::string, Value> values_;
  std::set<std::string> live_, names_{"input"};
  std::vector<Pending> layers_;
  Value input_;
  int64_t static_batch_ = -1;  // the input's batch dim when the model fixes it
};

}  // namespace spikeforge::onnx_detail
