#include "io/onnx_model.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "core/error.h"

namespace spikeforge {
namespace {

static_assert(std::endian::native == std::endian::little, "raw_data is little-endian; this reader copies it as is");

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// prod(dims), or InputError when a dim is negative or the product passes kMaxOnnxElements.
int64_t checked_numel(const std::vector<int64_t>& dims, const std::string& where) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || d > kMaxOnnxElements || (d > 0 && n > kMaxOnnxElements / d))
      throw InputError(where + " has dims " + dims_str(dims) + ", expected dims >= 0 and at most " +
                       std::to_string(kMaxOnnxElements) + " elements");
    n *= d;
  }
  return n;
}

// Copies `n` values from a repeated field or from raw_data (little-endian
// `Stored`), checking that the stored count is exactly n.
template <class Stored, class Out, class Field>
std::vector<Out> tensor_values(const onnx::TensorProto& t, const Field& field, int64_t n, const std::string& where) {
  std::vector<Out> v;
  if (!t.raw_data().empty()) {
    const std::string& raw = t.raw_data();
    if (int64_t(raw.size()) != n * int64_t(sizeof(Stored)))
      throw InputError(where + " has dims " + dims_str({t.dims().begin(), t.dims().end()}) + " (" + std::to_string(n) +
                       " elements) but " + std::to_string(raw.size()) + " bytes of data, expected " +
                       std::to_string(n * int64_t(sizeof(Stored))));
    v.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) {
      Stored x;
      std::memcpy(&x, raw.data() + i * int64_t(sizeof(Stored)), sizeof(Stored));
      v[size_t(i)] = Out(x);
    }
    return v;
  }
  if (int64_t(field.size()) != n)
    throw InputError(where + " has dims " + dims_str({t.dims().begin(), t.dims().end()}) + " (" + std::to_string(n) +
                     " elements) but " + std::to_string(field.size()) + " stored values");
  v.assign(field.begin(), field.end());
  return v;
}

OnnxTensor read_tensor(const onnx::TensorProto& t, const std::string& where) {
  OnnxTensor r;
  r.name = t.name();
  r.dims.assign(t.dims().begin(), t.dims().end());
  r.onnx_type = t.data_type();
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw InputError(where + " keeps its data in an external file, expected the data inside the model");
  const int64_t n = checked_numel(r.dims, where);
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      r.dtype = OnnxDType::Float;
      r.floats = tensor_values<float, float>(t, t.float_data(), n, where);
      break;
    case onnx::TensorProto::INT64:
      r.dtype = OnnxDType::Int64;
      r.ints = tensor_values<int64_t, int64_t>(t, t.int64_data(), n, where);
      break;
    case onnx::TensorProto::INT32:
      r.dtype = OnnxDType::Int64;
      r.ints = tensor_values<int32_t, int64_t>(t, t.int32_data(), n, where);
      break;
    case onnx::TensorProto::BOOL:  // one byte each in raw_data, else int32_data
      r.dtype = OnnxDType::Int64;
      r.ints = tensor_values<uint8_t, int64_t>(t, t.int32_data(), n, where);
      break;
    default:
      r.dtype = OnnxDType::Other;
  }
  return r;
}

OnnxAttribute read_attribute(const onnx::AttributeProto& a, const std::string& where) {
  OnnxAttribute r;
  r.name = a.name();
  switch (a.type()) {
    case onnx::AttributeProto::INT:
      r.kind = OnnxAttribute::Kind::Int;
      r.i = a.i();
      break;
    case onnx::AttributeProto::FLOAT:
      r.kind = OnnxAttribute::Kind::Float;
      r.f = a.f();
      break;
    case onnx::AttributeProto::INTS:
      r.kind = OnnxAttribute::Kind::Ints;
      r.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::FLOATS:
      r.kind = OnnxAttribute::Kind::Floats;
      r.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::STRING:
      r.kind = OnnxAttribute::Kind::String;
      r.s = a.s();
      break;
    case onnx::AttributeProto::TENSOR:
      r.kind = OnnxAttribute::Kind::Tensor;
      r.t = read_tensor(a.t(), where + " attribute '" + a.name() + "'");
      break;
    default:
      r.kind = OnnxAttribute::Kind::Other;
  }
  return r;
}

OnnxValueInfo read_value_info(const onnx::ValueInfoProto& v, const std::string& where) {
  OnnxValueInfo r;
  r.name = v.name();
  if (!v.type().has_tensor_type()) return r;
  const auto& tt = v.type().tensor_type();
  r.elem_type = tt.elem_type();
  r.has_shape = tt.has_shape();
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value() && (d.dim_value() < 0 || d.dim_value() >= kMaxOnnxElements))
      throw InputError(where + " '" + v.name() + "' has dim " + std::to_string(d.dim_value()) +
                       ", expected a size in [0, 2^31)");
    r.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  }
  return r;
}

}  // namespace

int64_t OnnxTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

const OnnxAttribute* OnnxNode::attr(const std::string& n) const {
  for (const auto& a : attributes)
    if (a.name == n) return &a;
  return nullptr;
}

std::string onnx_type_name(int32_t t) {
  if (onnx::TensorProto::DataType_IsValid(t))
    return onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t));
  return "type " + std::to_string(t);
}

OnnxModel parse_onnx_model(const std::string& bytes, const std::string& origin) {
  onnx::ModelProto proto;
  if (bytes.empty()) throw InputError(origin + ": empty file, expected an ONNX model");
  if (!proto.ParseFromString(bytes))
    throw InputError(origin + ": not a valid ONNX model (protobuf parse failed: truncated or corrupt file)");
  {
    // The checker may print warnings (experimental ops) to std::cerr: errors
    // are one line (DESIGN.md), so they are held back while it runs.
    std::ostringstream held;
    std::streambuf* cerr_buf = std::cerr.rdbuf(held.rdbuf());
    try {
      onnx::checker::check_model(proto);
    } catch (const std::exception& e) {
      std::cerr.rdbuf(cerr_buf);
      throw InputError(origin + ": invalid ONNX model: " + first_line(e.what()));
    }
    std::cerr.rdbuf(cerr_buf);
  }
  OnnxModel m;
  m.path = origin;
  m.ir_version = proto.ir_version();
  m.producer = proto.producer_name();
  for (const auto& op : proto.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") m.opset = op.version();
  const auto& g = proto.graph();
  const std::string at = origin + ": ";
  for (const auto& t : g.initializer()) m.initializers.push_back(read_tensor(t, at + "initializer '" + t.name() + "'"));
  std::set<std::string> weights;
  for (const auto& t : g.initializer()) weights.insert(t.name());
  for (const auto& v : g.input())
    if (!weights.count(v.name())) m.inputs.push_back(read_value_info(v, at + "input"));
  for (const auto& v : g.output()) m.outputs.push_back(read_value_info(v, at + "output"));
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    OnnxNode r;
    r.op_type = n.op_type();
    r.name = n.name();
    r.domain = n.domain();
    r.inputs.assign(n.input().begin(), n.input().end());
    r.outputs.assign(n.output().begin(), n.output().end());
    const std::string label = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
    const std::string where = at + "node '" + label + "'";
    for (const auto& a : n.attribute()) r.attributes.push_back(read_attribute(a, where));
    m.nodes.push_back(std::move(r));
  }
  return m;
}

OnnxModel read_onnx_model(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path + ": ONNX file not found");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the ONNX file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_onnx_model(ss.str(), path);
}

}  // namespace spikeforge
