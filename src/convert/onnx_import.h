// ONNX graph (io/onnx_model.h) -> the layer specs and flat parameter/buffer
// arrays a spikeforge network is rebuilt from (nn/network_builder.h), in
// exactly the order build_network lays them out and Layer::bind reads them:
// for each layer, conv2d W [O, C, K, K] then b [O]; linear W [O, I] then b [O];
// batchnorm gamma [C], beta [C] (parameters) and running mean [C], var [C]
// (buffers). The result is built and loaded like a checkpoint.
//
// The model takes float images [N, C, H, W] (the data's shape; N any) or their
// flattening [N, C*H*W]; with input_mean / input_std a "normalize" layer
// y = (x - mean) / std comes first (a layer, not folded into the first conv:
// zero padding makes that folding wrong at the borders).
//
// Operators, evaluated in inference mode:
//   Conv (group 1, square kernel, equal strides and symmetric pads, no dilation) -> conv2d
//   Gemm (alpha = beta = 1, transA = 0, transB 0 or 1) -> linear;  MatMul by a weight -> linear
//   Add of two activations of one shape -> add;  Add of a constant per-channel
//     bias -> folded into the bias of the Conv/Gemm/MatMul (or BatchNormalization
//     beta) before it, which nothing else may read
//   Relu -> relu;  Clip(min 0, max c) -> relu with ceiling c (no max: plain relu)
//   MaxPool / AveragePool (square, equal strides, symmetric pads <= kernel / 2;
//     ceil_mode only where it changes nothing; AveragePool pads only with
//     count_include_pad = 1) -> maxpool2d / avgpool2d
//   Pad (constant 0, equal on the four H/W sides) -> folded into the pads of the
//     Conv, AveragePool or MaxPool reading it (MaxPool: only after a Relu, where
//     zero and -inf padding agree)
//   GlobalAveragePool -> global_avgpool;  BatchNormalization (eval) -> batchnorm
//   Flatten (axis 1) and Reshape to [N, -1] -> flatten (no-op reshapes, and flattening
//     [N, C, 1, 1], vanish)
//   Dropout, Identity -> nothing
//   Constant, Shape, Gather, Unsqueeze, Concat -> folded to constants (the chain
//     PyTorch emits for x.view(x.size(0), -1)); the batch size stays symbolic
// Anything else is an InputError naming the file, node and operator.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "io/onnx_model.h"
#include "nn/layer.h"
#include "nn/layer_spec.h"

namespace spikeforge {

struct OnnxImportOptions {
  FeatShape data_shape{1, 28, 28};             // per-sample shape of the images the model will see
  std::optional<float> input_mean, input_std;  // either given: a normalize layer first
};

struct ImportedNetwork {
  std::vector<LayerSpec> layers;
  std::vector<float> params;   // flat, build_network + bind order
  std::vector<float> buffers;  // flat (BatchNorm running statistics)
  FeatShape input;             // the network input: options.data_shape
  std::string input_name, output_name;
  int64_t opset = 0;
};

// ShapeError when the model's input does not take the data (the message names
// both shapes); InputError for an unsupported operator or attribute.
ImportedNetwork import_onnx(const OnnxModel& model, const OnnxImportOptions& options = {});
// read_onnx_model + import_onnx.
ImportedNetwork import_onnx_file(const std::string& path, const OnnxImportOptions& options = {});

// The operators import_onnx accepts, comma separated (for messages).
const char* onnx_supported_ops();

}  // namespace spikeforge
