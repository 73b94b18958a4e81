#include "convert/onnx_import.h"

#include <cmath>
#include <sstream>

#include "convert/onnx_import_detail.h"
#include "core/error.h"
#include "nn/network_builder.h"

namespace spikeforge {
namespace onnx_detail {

std::string shape_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += dims[i] == kBatch ? std::string("N") : std::to_string(dims[i]);
  }
  return s + "]";
}

// ---------------------------------------------------------------------------
// Inputs and attributes

const Value& Importer::in(const OnnxNode& n, size_t k) const {
  if (!has_in(n, k)) fail(n, "input " + std::to_string(k) + " is missing");
  auto it = values_.find(n.inputs[k]);
  if (it == values_.end()) fail(n, "input '" + n.inputs[k] + "' is not produced by any earlier node");
  return it->second;
}

const OnnxTensor& Importer::const_in(const OnnxNode& n, size_t k, const char* what) const {
  const Value& v = in(n, k);
  if (v.kind != Value::Kind::Const)
    fail(n,
         std::string(what) + " '" + n.inputs[k] + "' is computed by the graph, expected a constant (an initializer)");
  return v.c;
}

const OnnxTensor& Importer::float_in(const OnnxNode& n, size_t k, const char* what, int64_t numel) const {
  const OnnxTensor& t = const_in(n, k, what);
  if (t.dtype != OnnxDType::Float)
    fail(n, std::string(what) + " '" + n.inputs[k] + "' has type " + onnx_type_name(t.onnx_type) + ", expected FLOAT");
  if (numel >= 0 && t.numel() != numel)
    fail_shape(n, std::string(what) + " '" + n.inputs[k] + "' has dims " + shape_str(t.dims) + ", expected " +
                      std::to_string(numel) + " values");
  return t;
}

float Importer::scalar_in(const OnnxNode& n, size_t k, const char* what) const {
  return float_in(n, k, what, 1).floats[0];
}

Value Importer::act_in(const OnnxNode& n, size_t k, bool padded_ok) const {
  const Value& v = in(n, k);
  if (v.kind == Value::Kind::Const) fail(n, "input '" + n.inputs[k] + "' is a constant, expected an activation");
  if (v.kind == Value::Kind::Padded && !padded_ok)
    fail(n, "reads the zero-padded output of Pad '" + v.pad_node +
                "'; a zero Pad is supported only right before Conv, MaxPool or AveragePool");
  if (v.node != Network::kInput && v.version != layers_[v.node].version)
    fail(n, "reads '" + n.inputs[k] + "', the output of layer '" + layers_[v.node].spec.name +
                "' before a bias Add folded into it; supported: a bias Add that is its layer's only reader");
  return v;
}

int64_t Importer::attr_int(const OnnxNode& n, const char* name, int64_t def) const {
  const OnnxAttribute* a = n.attr(name);
  if (!a) return def;
  if (a->kind != OnnxAttribute::Kind::Int) fail(n, std::string("attribute ") + name + " is not an integer");
  return a->i;
}

float Importer::attr_float(const OnnxNode& n, const char* name, float def) const {
  const OnnxAttribute* a = n.attr(name);
  if (!a) return def;
  if (a->kind != OnnxAttribute::Kind::Float) fail(n, std::string("attribute ") + name + " is not a float");
  return a->f;
}

std::vector<int64_t> Importer::attr_ints(const OnnxNode& n, const char* name, std::vector<int64_t> def) const {
  const OnnxAttribute* a = n.attr(name);
  if (!a) return def;
  if (a->kind != OnnxAttribute::Kind::Ints) fail(n, std::string("attribute ") + name + " is not a list of integers");
  return a->ints;
}

std::string Importer::attr_string(const OnnxNode& n, const char* name, const std::string& def) const {
  const OnnxAttribute* a = n.attr(name);
  if (!a) return def;
  if (a->kind != OnnxAttribute::Kind::String) fail(n, std::string("attribute ") + name + " is not a string");
  return a->s;
}

void Importer::no_live_extra_outputs(const OnnxNode& n, const char* what) const {
  for (size_t k = 1; k < n.outputs.size(); ++k)
    if (live(n.outputs[k]))
      fail(n, "its output " + std::to_string(k) + " ('" + n.outputs[k] + "') is used; supported: " + what);
}

// ---------------------------------------------------------------------------
// Layers

Value Importer::emit(const std::string& base, LayerSpec s, const std::vector<Value>& ins, FeatShape out, int rank,
                     std::vector<float> params, std::vector<float> buffers) {
  std::string name = base;
  for (int k = 1; names_.count(name); ++k) name = base + "_" + std::to_string(k);
  names_.insert(name);
  s.name = name;
  Pending p;
  p.spec = std::move(s);
  for (const Value& v : ins) {
    p.inputs.push_back(v.node);
    if (v.node != Network::kInput) layers_[v.node].read = true;
  }
  p.params = std::move(params);
  p.buffers = std::move(buffers);
  p.out = out;
  p.rank = rank;
  layers_.push_back(std::move(p));
  Value v;
  v.kind = Value::Kind::Act;
  v.node = int(layers_.size()) - 1;
  v.rank = rank;
  v.shape = out;
  return v;
}

// The network input, checked against the data, then normalize / flatten as needed.
void Importer::input_layers() {
  if (m_.inputs.size() != 1)
    throw InputError(origin_ + ": " + std::to_string(m_.inputs.size()) +
                     " graph inputs besides the initializers, expected 1 (the image batch)");
  const OnnxValueInfo& vi = m_.inputs[0];
  const FeatShape d = o_.data_shape;
  const std::string want = "[N, " + std::to_string(d.C) + ", " + std::to_string(d.H) + ", " + std::to_string(d.W) +
                           "] or [N, " + std::to_string(d.size()) + "]";
  if (vi.elem_type != 1)
    throw InputError(origin_ + ": input '" + vi.name + "' has type " + onnx_type_name(vi.elem_type) +
                     ", expected FLOAT images " + want);
  auto fits = [](int64_t dim, int64_t want) { return dim == -1 || dim == want; };
  std::vector<int64_t> dims = vi.dims;
  int rank = 4;
  if (!vi.has_shape) {
    dims = {-1, -1, -1, -1};
  } else if (dims.size() == 4 && fits(dims[1], d.C) && fits(dims[2], d.H) && fits(dims[3], d.W) && dims[0] != 0) {
    rank = 4;
  } else if (dims.size() == 2 && fits(dims[1], d.size()) && dims[0] != 0) {
    rank = 2;
  } else {
    std::string got = "[";
    for (size_t i = 0; i < dims.size(); ++i) {
      if (i) got += ", ";
      got += dims[i] < 0 ? std::string("?") : std::to_string(dims[i]);
    }
    throw ShapeError(origin_ + ": input '" + vi.name + "' has shape " + got + "], the data has images " + want);
  }
  static_batch_ = dims[0] > 0 ? dims[0] : -1;
  Value v;
  v.kind = Value::Kind::Act;
  v.node = Network::kInput;
  v.shape = d;
  v.rank = 4;
  if (o_.input_mean || o_.input_std) {
    LayerSpec s;
    s.type = "normalize";
    s.mean = o_.input_mean.value_or(0.f);
    s.stddev = o_.input_std.value_or(1.f);
    auto num = [](float v) {
      std::ostringstream os;
      os << v;
      return os.str();
    };
    if (!std::isfinite(s.mean))
      throw ConfigError(origin_ + ": --input-mean " + num(s.mean) + ", expected a finite number");
    if (!std::isfinite(s.stddev) || !(s.stddev > 0.f))
      throw ConfigError(origin_ + ": --input-std " + num(s.stddev) + ", expected a finite number > 0");
    v = emit("normalize", s, {v}, d, 4);
  }
  if (rank == 2) {
    LayerSpec s;
    s.type = "flatten";
    v = emit("input_flatten", s, {v}, {int(d.size()), 1, 1}, 2);
  }
  input_ = v;
  values_[vi.name] = v;
}

// ---------------------------------------------------------------------------
// The walk

ImportedNetwork Importer::run() {
  if (m_.outputs.size() != 1)
    throw InputError(origin_ + ": " + std::to_string(m_.outputs.size()) + " graph outputs, expected 1 (the logits)");
  // Live tensors: those the output depends on (nodes are topologically sorted).
  live_.insert(m_.outputs[0].name);
  for (size_t i = m_.nodes.size(); i-- > 0;) {
    const OnnxNode& n = m_.nodes[i];
    bool any = false;
    for (const auto& o : n.outputs) any = any || live(o);
    if (any)
      for (const auto& x : n.inputs)
        if (!x.empty()) live_.insert(x);
  }
  for (const OnnxTensor& t : m_.initializers) {
    Value v;
    v.kind = Value::Kind::Const;
    v.c = t;
    values_[t.name] = std::move(v);
  }
  input_layers();
  for (const OnnxNode& n : m_.nodes) {
    bool any = false;
    for (const auto& o : n.outputs) any = any || live(o);
    if (any) visit(n);
  }

  const std::string& out_name = m_.outputs[0].name;
  auto it = values_.find(out_name);
  if (it == values_.end()) throw InputError(origin_ + ": graph output '" + out_name + "' is produced by no node");
  const Value& out = it->second;
  if (out.kind != Value::Kind::Act || out.node == Network::kInput || out.node == input_.node)
    throw InputError(origin_ + ": graph output '" + out_name + "' is " +
                     (out.kind == Value::Kind::Const ? "a constant" : "the input") +
                     ", expected the output of a layer");
  if (out.node != int(layers_.size()) - 1 || out.version != layers_[out.node].version)
    throw InputError(origin_ + ": graph output '" + out_name + "' is not the last layer's current output");
  for (size_t i = 0; i + 1 < layers_.size(); ++i)
    if (!layers_[i].read)
      throw InputError(origin_ + ": the output of layer '" + layers_[i].spec.name +
                       "' is used only for its shape; supported: graphs where every layer feeds the output");

  ImportedNetwork r;
  r.input = o_.data_shape;
  r.input_name = m_.inputs[0].name;
  r.output_name = out_name;
  r.opset = m_.opset;
  for (size_t i = 0; i < layers_.size(); ++i) {
    Pending& p = layers_[i];
    auto name_of = [&](int j) { return j == Network::kInput ? std::string("input") : layers_[j].spec.name; };
    const bool previous = p.inputs.size() == 1 && p.inputs[0] == int(i) - 1;  // kInput for the first layer
    if (!previous)
      for (int j : p.inputs) p.spec.from.push_back(name_of(j));
    r.layers.push_back(p.spec);
    r.params.insert(r.params.end(), p.params.begin(), p.params.end());
    r.buffers.insert(r.buffers.end(), p.buffers.begin(), p.buffers.end());
  }
  // The builder must lay out what was assembled here, layer by layer.
  auto net = build_network(r.layers, NetworkDefaults{}, r.input, origin_);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = *net->layers()[i];
    if (l.param_count() != int64_t(layers_[i].params.size()) ||
        l.buffer_count() != int64_t(layers_[i].buffers.size()) || !(l.out_shape() == layers_[i].out))
      throw InternalError(origin_ + ": layer '" + layers_[i].spec.name + "' imported with " +
                          std::to_string(layers_[i].params.size()) + " parameters and output " + layers_[i].out.str() +
                          ", the builder made " + std::to_string(l.param_count()) + " and " + l.out_shape().str());
  }
  return r;
}

void Importer::visit(const OnnxNode& n) {
  if (!n.domain.empty() && n.domain != "ai.onnx")
    refuse(n, "in domain '" + n.domain + "' is not supported; supported: the default ONNX domain");
  const std::string& op = n.op_type;
  if (op == "Constant") return op_constant(n);
  if (op == "Identity" || op == "Dropout") {
    if (op == "Dropout") {
      no_live_extra_outputs(n, "Dropout in inference, its mask unused");
      if (has_in(n, 2) && const_in(n, 2, "training_mode").ints != std::vector<int64_t>{0})
        fail(n, "training_mode is not 0; supported: Dropout in inference");
    }
    return set_out(n, 0, in(n, 0));
  }
  if (op == "Shape") return op_shape(n);
  if (op == "Gather") return op_gather(n);
  if (op == "Unsqueeze") return op_unsqueeze(n);
  if (op == "Concat") return op_concat(n);
  if (op == "Conv") return op_conv(n);
  if (op == "Gemm") return op_gemm(n, false);
  if (op == "MatMul") return op_gemm(n, true);
  if (op == "Add") return op_add(n);
  if (op == "Relu") {
    Value x = act_in(n, 0);
    LayerSpec s;
    s.type = "relu";
    return set_out(n, 0, emit(node_name(n), s, {x}, x.shape, x.rank));
  }
  if (op == "Clip") return op_clip(n);
  if (op == "MaxPool") return op_pool(n, true);
  if (op == "AveragePool") return op_pool(n, false);
  if (op == "Pad") return op_pad(n);
  if (op == "GlobalAveragePool") {
    Value x = act_in(n, 0);
    if (x.rank != 4) fail_shape(n, "expects images [N, C, H, W], got " + shape_str(x.dims()));
    LayerSpec s;
    s.type = "global_avgpool";
    return set_out(n, 0, emit(node_name(n), s, {x}, {x.shape.C, 1, 1}, 4));
  }
  if (op == "BatchNormalization") return op_batchnorm(n);
  if (op == "Flatten") return op_flatten(n);
  if (op == "Reshape") return op_reshape(n);
  refuse(n, "is not supported; supported: " + std::string(onnx_supported_ops()));
}

}  // namespace onnx_detail

const char* onnx_supported_ops() {
  return "Add, AveragePool, BatchNormalization, Clip, Concat, Constant, Conv, Dropout, Flatten, Gather, Gemm, "
         "GlobalAveragePool, Identity, MatMul, MaxPool, Pad, Relu, Reshape, Shape, Unsqueeze";
}

ImportedNetwork import_onnx(const OnnxModel& model, const OnnxImportOptions& options) {
  return onnx_detail::Importer(model, options).run();
}

ImportedNetwork import_onnx_file(const std::string& path, const OnnxImportOptions& options) {
  return import_onnx(read_onnx_model(path), options);
}

}  // namespace spikeforge
