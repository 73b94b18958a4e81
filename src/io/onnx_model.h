// ONNX model reader: a .onnx file parsed with Debian's libprotobuf and the
// generated classes of libonnx-dev (onnx-ml.proto, ONNX 1.12), validated with
// onnx::checker, and copied into the plain structs below so that nothing
// outside this file sees protobuf or ONNX types.
//
// What is read (onnx.proto field names and numbers):
//   ModelProto      ir_version (1), producer_name (2), graph (7),
//                   opset_import (8): the version of domain "" / "ai.onnx" -> opset
//   GraphProto      node (1), initializer (5), input (11), output (12); inputs
//                   that name an initializer (IR < 4 lists weights as inputs) are dropped
//   NodeProto       input (1), output (2), name (3), op_type (4), domain (7),
//                   attribute (5); an absent optional input is the empty name ""
//   AttributeProto  name (1), type (20) and one of f (2) FLOAT, i (3) INT,
//                   s (4) STRING, t (5) TENSOR, floats (7) FLOATS, ints (8) INTS;
//                   other types (graphs, sparse tensors, strings lists) keep only
//                   their name and kind Other
//   TensorProto     name (8), dims (1), data_type (2):
//                     FLOAT (1)  from float_data (4) or raw_data (9, little-endian)
//                     INT64 (7)  from int64_data (7) or raw_data
//                     INT32 (6)  from int32_data (5) or raw_data, widened to int64
//                     BOOL (9)   from int32_data or raw_data (1 byte each), as int64 0 / 1
//                   other types keep dims and dtype Other without data;
//                   data_location (14) EXTERNAL is refused
//   ValueInfoProto  name (1), type (2).tensor_type.elem_type / .shape.dim[]:
//                   dim_value (1), or dim_param (2) / nothing -> -1 (unknown)
// Not read: functions, training info, sparse initializers, metadata, doc strings.
//
// Checks (InputError naming the file): the file exists and parses; the checker
// accepts it (schemas, topological order, opset); every tensor has dims >= 0,
// at most kMaxOnnxElements elements, and exactly as much data as its dims say
// (the checker does not compare them); input dims are < 2^31.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace spikeforge {

constexpr int64_t kMaxOnnxElements = int64_t(1) << 31;  // per tensor

enum class OnnxDType { Float, Int64, Other };

struct OnnxTensor {
  std::string name;
  OnnxDType dtype = OnnxDType::Float;
  int32_t onnx_type = 1;      // TensorProto.DataType as stored (for messages)
  std::vector<int64_t> dims;  // empty: a scalar
  std::vector<float> floats;  // dtype Float: prod(dims) values, row-major
  std::vector<int64_t> ints;  // dtype Int64: prod(dims) values, row-major
  int64_t numel() const;
};

struct OnnxAttribute {
  enum class Kind { Int, Float, Ints, Floats, String, Tensor, Other };
  std::string name;
  Kind kind = Kind::Other;
  int64_t i = 0;
  float f = 0.f;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string s;
  OnnxTensor t;
};

struct OnnxNode {
  std::string op_type, name, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<OnnxAttribute> attributes;
  // The attribute called `name`, or nullptr.
  const OnnxAttribute* attr(const std::string& name) const;
};

struct OnnxValueInfo {
  std::string name;
  int32_t elem_type = 0;      // TensorProto.DataType; 1 = float
  std::vector<int64_t> dims;  // -1 = unknown (symbolic, e.g. the batch)
  bool has_shape = false;
};

struct OnnxModel {
  std::string path;  // what messages name
  int64_t ir_version = 0, opset = 0;
  std::string producer;
  std::vector<OnnxValueInfo> inputs, outputs;  // inputs: without initializers
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxNode> nodes;  // topologically sorted (the checker insists)
};

// Reads and checks a .onnx file; InputError naming `path` on any failure.
OnnxModel read_onnx_model(const std::string& path);
// The same from the file's bytes; `origin` names the source in messages.
OnnxModel parse_onnx_model(const std::string& bytes, const std::string& origin);

// "FLOAT", "INT64", ... for messages.
std::string onnx_type_name(int32_t onnx_type);

}  // namespace spikeforge
