// Operator handlers of the ONNX importer (see convert/onnx_import.h for what
// each operator becomes, onnx_import_detail.h for the walk's state).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "convert/onnx_import_detail.h"

namespace spikeforge::onnx_detail {
namespace {

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string ints_str(const std::vector<int64_t>& v) { return shape_str(v); }

}  // namespace

// ---------------------------------------------------------------------------
// Constants: Constant, and the Shape -> Gather -> Unsqueeze -> Concat chain

void Importer::op_constant(const OnnxNode& n) {
  Value v;
  v.kind = Value::Kind::Const;
  OnnxTensor& t = v.c;
  if (const OnnxAttribute* a = n.attr("value")) {
    if (a->kind != OnnxAttribute::Kind::Tensor) fail(n, "attribute value is not a tensor");
    t = a->t;
  } else if (n.attr("value_float")) {
    t.floats = {attr_float(n, "value_float", 0.f)};
  } else if (const OnnxAttribute* a = n.attr("value_floats")) {
    if (a->kind != OnnxAttribute::Kind::Floats) fail(n, "attribute value_floats is not a list of floats");
    t.floats = a->floats;
    t.dims = {int64_t(a->floats.size())};
  } else if (n.attr("value_int")) {
    t.dtype = OnnxDType::Int64;
    t.onnx_type = 7;
    t.ints = {attr_int(n, "value_int", 0)};
  } else if (n.attr("value_ints")) {
    t.dtype = OnnxDType::Int64;
    t.onnx_type = 7;
    t.ints = attr_ints(n, "value_ints", {});
    t.dims = {int64_t(t.ints.size())};
  } else {
    fail(n, "has no value, value_float(s) or value_int(s) attribute; supported: those");
  }
  t.name = n.outputs.at(0);
  set_out(n, 0, std::move(v));
}

// A constant input of a folding op; activations get a message saying where these ops are supported.
const OnnxTensor& Importer::fold_in(const OnnxNode& n, size_t k) const {
  const Value& v = in(n, k);
  if (v.kind != Value::Kind::Const)
    refuse(n, "on an activation is not supported; supported: " + n.op_type +
                  " of shape constants (the Shape chain that feeds a Reshape)");
  return v.c;
}

void Importer::op_shape(const OnnxNode& n) {
  const Value& x = in(n, 0);
  if (x.kind == Value::Kind::Padded)
    fail(n, "reads the output of Pad '" + x.pad_node + "'; supported: unpadded inputs");
  const std::vector<int64_t> dims = x.kind == Value::Kind::Const ? x.c.dims : x.dims();
  const int64_t r = int64_t(dims.size());
  auto clamp_axis = [r](int64_t a) { return std::clamp(a < 0 ? a + r : a, int64_t(0), r); };
  const int64_t start = clamp_axis(attr_int(n, "start", 0)), end = clamp_axis(attr_int(n, "end", r));
  Value v;
  v.c.dtype = OnnxDType::Int64;
  v.c.onnx_type = 7;
  for (int64_t i = start; i < end; ++i) v.c.ints.push_back(dims[size_t(i)]);
  v.c.dims = {int64_t(v.c.ints.size())};
  set_out(n, 0, std::move(v));
}

void Importer::op_gather(const OnnxNode& n) {
  const OnnxTensor& data = fold_in(n, 0);
  const OnnxTensor& idx = fold_in(n, 1);
  const int64_t axis = attr_int(n, "axis", 0);
  if (data.dims.size() != 1 || (axis != 0 && axis != -1) || idx.dtype != OnnxDType::Int64 ||
      data.dtype == OnnxDType::Other)
    fail(n, "gathers from a constant of dims " + ints_str(data.dims) + " along axis " + std::to_string(axis) +
                "; supported: integer indices into a 1-D constant (a shape)");
  const int64_t len = data.dims[0];
  Value v;
  v.c.dtype = data.dtype;
  v.c.onnx_type = data.onnx_type;
  v.c.dims = idx.dims;
  for (int64_t i : idx.ints) {
    if (i < -len || i >= len)
      fail(n, "index " + std::to_string(i) + " is outside a constant of " + std::to_string(len) + " values");
    const size_t j = size_t(i < 0 ? i + len : i);
    if (data.dtype == OnnxDType::Int64)
      v.c.ints.push_back(data.ints[j]);
    else
      v.c.floats.push_back(data.floats[j]);
  }
  set_out(n, 0, std::move(v));
}

void Importer::op_unsqueeze(const OnnxNode& n) {
  const OnnxTensor& data = fold_in(n, 0);
  std::vector<int64_t> axes;
  if (n.attr("axes"))
    axes = attr_ints(n, "axes", {});  // opset < 13
  else if (has_in(n, 1))
    axes = fold_in(n, 1).ints;  // opset >= 13
  else
    fail(n, "has no axes");
  const int64_t r = int64_t(data.dims.size() + axes.size());
  std::vector<char> unit(size_t(r), 0);
  for (int64_t a : axes) {
    const int64_t b = a < 0 ? a + r : a;
    if (b < 0 || b >= r || unit[size_t(b)])
      fail(n, "axes " + ints_str(axes) + " do not fit a rank-" + std::to_string(r) + " result");
    unit[size_t(b)] = 1;
  }
  Value v;
  v.c = data;
  v.c.dims.clear();
  size_t next = 0;
  for (int64_t i = 0; i < r; ++i) v.c.dims.push_back(unit[size_t(i)] ? 1 : data.dims[next++]);
  set_out(n, 0, std::move(v));
}

void Importer::op_concat(const OnnxNode& n) {
  const int64_t axis = attr_int(n, "axis", 0);
  Value v;
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    const OnnxTensor& t = fold_in(n, k);
    if (k == 0) v.c.dtype = t.dtype, v.c.onnx_type = t.onnx_type;
    if (t.dims.size() != 1 || (axis != 0 && axis != -1) || t.dtype != v.c.dtype || t.dtype == OnnxDType::Other)
      fail(n, "joins constants of dims " + ints_str(t.dims) + " along axis " + std::to_string(axis) +
                  "; supported: 1-D constants of one type (shapes) along axis 0");
    v.c.ints.insert(v.c.ints.end(), t.ints.begin(), t.ints.end());
    v.c.floats.insert(v.c.floats.end(), t.floats.begin(), t.floats.end());
  }
  v.c.dims = {int64_t(v.c.dtype == OnnxDType::Int64 ? v.c.ints.size() : v.c.floats.size())};
  set_out(n, 0, std::move(v));
}

// ---------------------------------------------------------------------------
// Synapses: Conv, Gemm, MatMul

Importer::Window Importer::window(const OnnxNode& n, std::vector<int64_t> kernel) const {
  const std::vector<int64_t> ks = attr_ints(n, "kernel_shape", kernel);
  if (!kernel.empty() && ks != kernel)
    fail_shape(n, "kernel_shape " + ints_str(ks) + " disagrees with the weight's " + ints_str(kernel));
  if (ks.size() != 2) fail(n, "kernel_shape " + ints_str(ks) + " is not supported; supported: 2-D kernels");
  if (ks[0] != ks[1]) fail(n, "kernel " + ints_str(ks) + " is not supported; supported: square kernels");
  const std::vector<int64_t> st = attr_ints(n, "strides", {1, 1});
  if (st.size() != 2 || st[0] != st[1])
    fail(n, "strides " + ints_str(st) + " are not supported; supported: equal strides");
  const std::vector<int64_t> pads = attr_ints(n, "pads", {0, 0, 0, 0});
  if (pads.size() != 4 || std::any_of(pads.begin(), pads.end(), [&](int64_t p) { return p != pads[0]; }))
    fail(n, "pads " + ints_str(pads) + " are not supported; supported: the same padding on all four sides");
  const std::vector<int64_t> dil = attr_ints(n, "dilations", {1, 1});
  if (std::any_of(dil.begin(), dil.end(), [](int64_t d) { return d != 1; }))
    fail(n, "dilations " + ints_str(dil) + " are not supported; supported: 1");
  const std::string ap = attr_string(n, "auto_pad", "NOTSET");
  if (ap != "NOTSET" && ap != "VALID" && !ap.empty())
    fail(n, "auto_pad " + ap + " is not supported; supported: NOTSET with explicit pads, VALID");
  if (ks[0] < 1 || ks[0] > 64 || st[0] < 1 || st[0] > 64 || pads[0] < 0 || pads[0] > 32)
    fail(n, "kernel " + std::to_string(ks[0]) + ", stride " + std::to_string(st[0]) + ", pad " +
                std::to_string(pads[0]) +
                " are not supported; supported: kernel and stride in [1, 64], pad in [0, 32]");
  return {int(ks[0]), int(st[0]), int(pads[0])};
}

void Importer::op_conv(const OnnxNode& n) {
  const Value x = act_in(n, 0, /*padded_ok=*/true);
  if (x.rank != 4) fail_shape(n, "expects images [N, C, H, W], got " + shape_str(x.dims()));
  const OnnxTensor& W = float_in(n, 1, "weight");
  if (W.dims.size() != 4) fail_shape(n, "weight has dims " + ints_str(W.dims) + ", expected [O, C, K, K]");
  const int64_t group = attr_int(n, "group", 1);
  if (group != 1) fail(n, "group = " + std::to_string(group) + " is not supported; supported: group 1");
  if (W.dims[1] != x.shape.C)
    fail_shape(n, "weight has dims " + ints_str(W.dims) + ", expected " + std::to_string(x.shape.C) +
                      " input channels for the input " + shape_str(x.dims()));
  const Window w = window(n, {W.dims[2], W.dims[3]});
  const int64_t O = W.dims[0];
  const int pad = w.p + x.pad;  // a folded zero Pad adds to the conv's own zero padding
  if (O < 1 || O > (1 << 16)) fail(n, std::to_string(O) + " output channels, supported: 1 to 65536");
  if (x.shape.H + 2 * pad < w.k || x.shape.W + 2 * pad < w.k)
    fail_shape(n, "kernel " + std::to_string(w.k) + " with pad " + std::to_string(pad) + " does not fit the input " +
                      shape_str(x.dims()));
  LayerSpec s;
  s.type = "conv2d";
  s.channels = int(O);
  s.kernel = w.k;
  s.stride = w.s;
  s.pad = pad;
  s.bias = has_in(n, 2);
  std::vector<float> params = W.floats;  // [O, C, K, K] as Conv2d
  if (s.bias) {
    const OnnxTensor& b = float_in(n, 2, "bias", O);
    params.insert(params.end(), b.floats.begin(), b.floats.end());
  }
  const FeatShape out{int(O), (x.shape.H + 2 * pad - w.k) / w.s + 1, (x.shape.W + 2 * pad - w.k) / w.s + 1};
  set_out(n, 0, emit(node_name(n), s, {x}, out, 4, std::move(params)));
}

// Gemm: y = alpha A B' + beta C with B' = B^T when transB; MatMul: y = A B.
void Importer::op_gemm(const OnnxNode& n, bool matmul) {
  if (!matmul) {
    const int64_t ta = attr_int(n, "transA", 0);
    const float alpha = attr_float(n, "alpha", 1.f), beta = attr_float(n, "beta", 1.f);
    if (ta != 0 || alpha != 1.f || beta != 1.f)
      fail(n, "transA = " + std::to_string(ta) + ", alpha = " + num(alpha) + ", beta = " + num(beta) +
                  " are not supported; supported: transA 0, alpha 1, beta 1");
  }
  if (in(n, 0).kind == Value::Kind::Const && in(n, 1).kind != Value::Kind::Const)
    fail(n, "multiplies a constant by an activation; supported: activation times a constant weight");
  const Value a = act_in(n, 0);
  if (a.rank != 2)
    fail_shape(n, "expects a flat input [N, F], got " + shape_str(a.dims()) + "; supported: Flatten or Reshape first");
  const OnnxTensor& B = float_in(n, 1, "weight");
  if (B.dims.size() != 2) fail_shape(n, "weight has dims " + ints_str(B.dims) + ", expected a matrix");
  const bool trans_b = !matmul && attr_int(n, "transB", 0) != 0;
  const int64_t I = trans_b ? B.dims[1] : B.dims[0], O = trans_b ? B.dims[0] : B.dims[1];
  if (I != a.shape.C)
    fail_shape(n, "weight has dims " + ints_str(B.dims) + (trans_b ? " (transB)" : "") + ", expected " +
                      std::to_string(a.shape.C) + " inputs for the input " + shape_str(a.dims()));
  if (O < 1 || O > (1 << 24)) fail(n, std::to_string(O) + " outputs, supported: 1 to 2^24");
  std::vector<float> params(size_t(O * I));  // W [O, I] as Linear
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i)
      params[size_t(o * I + i)] = trans_b ? B.floats[size_t(o * I + i)] : B.floats[size_t(i * O + o)];
  LayerSpec s;
  s.type = "linear";
  s.units = int(O);
  s.bias = !matmul && has_in(n, 2);
  if (s.bias) {
    const OnnxTensor& c = float_in(n, 2, "bias");
    const bool row = c.numel() == O && (c.dims == std::vector<int64_t>{O} || c.dims == std::vector<int64_t>{1, O});
    if (!row && c.numel() != 1)
      fail_shape(n, "bias has dims " + ints_str(c.dims) + ", expected [" + std::to_string(O) + "] or a scalar");
    for (int64_t o = 0; o < O; ++o) params.push_back(c.floats[row ? size_t(o) : 0]);
  }
  set_out(n, 0, emit(node_name(n), s, {a}, {int(O), 1, 1}, 2, std::move(params)));
}

// ---------------------------------------------------------------------------
// Add: a residual join of two activations, or a constant bias folded into the layer before

void Importer::op_add(const OnnxNode& n) {
  const Value& a = in(n, 0);
  const Value& b = in(n, 1);
  const bool ca = a.kind == Value::Kind::Const, cb = b.kind == Value::Kind::Const;
  if (ca && cb) fail(n, "adds two constants; supported: a bias Add or the sum of two activations");
  if (ca || cb) return fold_bias(n, act_in(n, ca ? 1 : 0), ca ? a.c : b.c);
  const Value x = act_in(n, 0), y = act_in(n, 1);
  if (x.node == y.node) fail(n, "adds a tensor to itself; supported: the sum of two different activations");
  if (x.rank != y.rank || !(x.shape == y.shape))
    fail_shape(n, "adds " + shape_str(x.dims()) + " and " + shape_str(y.dims()) +
                      "; supported: activations of one shape (no broadcasting)");
  LayerSpec s;
  s.type = "add";
  set_out(n, 0, emit(node_name(n), s, {x, y}, x.shape, x.rank));
}

void Importer::fold_bias(const OnnxNode& n, const Value& a, const OnnxTensor& c) {
  const std::string supported =
      "; supported: a per-channel bias Add right after Conv, Gemm, MatMul or "
      "BatchNormalization whose output nothing else reads";
  if (a.node == Network::kInput || a.node == input_.node) fail(n, "adds a constant to the network input" + supported);
  Pending& p = layers_[size_t(a.node)];
  const std::string& t = p.spec.type;
  if (t != "conv2d" && t != "linear" && t != "batchnorm")
    fail(n, "adds a constant to the output of a " + t + " layer ('" + p.spec.name + "')" + supported);
  if (p.read)
    fail(n, "adds a constant to the output of '" + p.spec.name + "', which another node also reads" + supported);
  if (c.dtype != OnnxDType::Float)
    fail(n, "adds a constant of type " + onnx_type_name(c.onnx_type) + ", expected FLOAT");
  // Right-aligned broadcasting against [N, C, H, W] or [N, F]: per channel means
  // every dim but the channel's is 1.
  const int C = p.out.C;
  std::vector<int64_t> d = c.dims;
  bool ok = d.size() <= size_t(a.rank);
  while (ok && d.size() < size_t(a.rank)) d.insert(d.begin(), 1);
  for (size_t i = 0; ok && i < d.size(); ++i) ok = i == 1 ? (d[i] == 1 || d[i] == C) : d[i] == 1;
  if (!ok) fail_shape(n, "adds a constant of dims " + ints_str(c.dims) + " to " + shape_str(a.dims()) + supported);
  const bool per_channel = c.numel() == C && C > 1;
  float* bias = nullptr;
  if (t == "batchnorm") {
    bias = p.params.data() + C;  // beta
  } else {
    if (!p.spec.bias) {
      p.spec.bias = true;
      p.params.resize(p.params.size() + size_t(C), 0.f);
    }
    bias = p.params.data() + p.params.size() - size_t(C);  // b [O] follows W
  }
  for (int j = 0; j < C; ++j) bias[j] += c.floats[per_channel ? size_t(j) : 0];
  ++p.version;  // readers of the pre-Add value (none so far) would now be stale
  Value v = a;
  v.version = p.version;
  set_out(n, 0, std::move(v));
}

// ---------------------------------------------------------------------------
// Activations and normalisation: Clip, BatchNormalization

void Importer::op_clip(const OnnxNode& n) {
  const Value x = act_in(n, 0);
  bool has_lo = false, has_hi = false;
  float lo = 0.f, hi = 0.f;
  if (n.attr("min") || n.attr("max")) {  // opset < 11
    has_lo = n.attr("min") != nullptr;
    has_hi = n.attr("max") != nullptr;
    lo = attr_float(n, "min", 0.f);
    hi = attr_float(n, "max", 0.f);
  } else {  // opset >= 11: optional inputs
    has_lo = has_in(n, 1);
    has_hi = has_in(n, 2);
    if (has_lo) lo = scalar_in(n, 1, "min");
    if (has_hi) hi = scalar_in(n, 2, "max");
  }
  if (!has_lo || lo != 0.f)
    fail(n, "min = " + (has_lo ? num(lo) : std::string("none")) +
                " is not supported; supported: Clip(min 0, max c) as a clamped ReLU");
  LayerSpec s;
  s.type = "relu";
  if (has_hi && std::isfinite(hi) && hi < std::numeric_limits<float>::max()) {
    if (!(hi > 0.f) || hi > 1e6f) fail(n, "max = " + num(hi) + " is not supported; supported: a ceiling in (0, 1e6]");
    s.ceiling = hi;
  }
  set_out(n, 0, emit(node_name(n), s, {x}, x.shape, x.rank));
}

void Importer::op_batchnorm(const OnnxNode& n) {
  const Value x = act_in(n, 0);
  no_live_extra_outputs(n, "BatchNormalization in inference (one output)");
  const int64_t training = attr_int(n, "training_mode", 0), spatial = attr_int(n, "spatial", 1);
  if (training != 0 || spatial != 1)
    fail(n, "training_mode = " + std::to_string(training) + ", spatial = " + std::to_string(spatial) +
                " are not supported; supported: inference (training_mode 0) over channels (spatial 1)");
  const int C = x.shape.C;
  const OnnxTensor& gamma = float_in(n, 1, "scale", C);
  const OnnxTensor& beta = float_in(n, 2, "B", C);
  const OnnxTensor& mean = float_in(n, 3, "mean", C);
  const OnnxTensor& var = float_in(n, 4, "var", C);
  const float eps = attr_float(n, "epsilon", 1e-5f), momentum = attr_float(n, "momentum", 0.9f);
  if (!(eps > 0.f && eps <= 1.f)) fail(n, "epsilon = " + num(eps) + " is not supported; supported: (0, 1]");
  for (int j = 0; j < C; ++j)
    if (!(var.floats[size_t(j)] >= 0.f) || !std::isfinite(mean.floats[size_t(j)]))
      fail(n, "channel " + std::to_string(j) + " has running mean " + num(mean.floats[size_t(j)]) + ", variance " +
                  num(var.floats[size_t(j)]) + ", expected a finite mean and a variance >= 0");
  LayerSpec s;
  s.type = "batchnorm";
  s.eps = eps;
  // ONNX: running = momentum * running + (1 - momentum) * batch; spikeforge and PyTorch weigh the batch by momentum.
  s.momentum = momentum > 0.f && momentum < 1.f ? 1.f - momentum : 0.1f;
  std::vector<float> params = gamma.floats, buffers = mean.floats;
  params.insert(params.end(), beta.floats.begin(), beta.floats.end());
  buffers.insert(buffers.end(), var.floats.begin(), var.floats.end());
  set_out(n, 0, emit(node_name(n), s, {x}, x.shape, x.rank, std::move(params), std::move(buffers)));
}

// ---------------------------------------------------------------------------
// Pooling and padding

void Importer::op_pool(const OnnxNode& n, bool max) {
  const Value x = act_in(n, 0, /*padded_ok=*/true);
  if (x.rank != 4) fail_shape(n, "expects images [N, C, H, W], got " + shape_str(x.dims()));
  if (!n.attr("kernel_shape")) fail(n, "has no kernel_shape");
  const Window w = window(n, {});
  if (max) no_live_extra_outputs(n, "MaxPool without its Indices output");
  int pad = w.p;
  if (!max && w.p > 0 && attr_int(n, "count_include_pad", 0) == 0)
    fail(n, "pads " + std::to_string(w.p) +
                " with count_include_pad = 0 are not supported; supported: count_include_pad = 1 (PyTorch's "
                "default, exported as Pad + AveragePool)");
  if (x.kind == Value::Kind::Padded) {
    if (max && (x.node == Network::kInput || layers_[size_t(x.node)].spec.type != "relu"))
      fail(n, "reads the zero Pad '" + x.pad_node +
                  "' of a possibly negative input; supported: a zero Pad before MaxPool only after a Relu, where "
                  "zero and -inf padding agree");
    pad += x.pad;
  }
  if (2 * pad > w.k)
    fail(n, "pad " + std::to_string(pad) + " exceeds half the kernel " + std::to_string(w.k) +
                "; supported: pad <= kernel / 2 (as PyTorch)");
  const int H = x.shape.H, W = x.shape.W;
  if (H + 2 * pad < w.k || W + 2 * pad < w.k)
    fail_shape(n, "kernel " + std::to_string(w.k) + " with pad " + std::to_string(pad) + " does not fit the input " +
                      shape_str(x.dims()));
  if (attr_int(n, "ceil_mode", 0) != 0 && ((H + 2 * pad - w.k) % w.s != 0 || (W + 2 * pad - w.k) % w.s != 0))
    fail(n, "ceil_mode = 1 adds a partial window here; supported: ceil_mode 0, or 1 where windows tile exactly");
  LayerSpec s;
  s.type = max ? "maxpool2d" : "avgpool2d";
  s.kernel = w.k;
  s.stride = w.s;
  s.pad = pad;
  const FeatShape out{x.shape.C, (H + 2 * pad - w.k) / w.s + 1, (W + 2 * pad - w.k) / w.s + 1};
  set_out(n, 0, emit(node_name(n), s, {x}, out, 4));
}

void Importer::op_pad(const OnnxNode& n) {
  const Value x = act_in(n, 0, /*padded_ok=*/true);
  if (x.rank != 4) fail_shape(n, "pads " + shape_str(x.dims()) + "; supported: images [N, C, H, W]");
  const std::string mode = attr_string(n, "mode", "constant");
  if (mode != "constant") fail(n, "mode '" + mode + "' is not supported; supported: constant zero padding");
  std::vector<int64_t> pads;
  float value = 0.f;
  if (n.attr("pads")) {  // opset < 11
    pads = attr_ints(n, "pads", {});
    value = attr_float(n, "value", 0.f);
  } else {
    const OnnxTensor& p = const_in(n, 1, "pads");
    if (p.dtype != OnnxDType::Int64) fail(n, "pads are not integers");
    pads = p.ints;
    if (has_in(n, 2)) value = scalar_in(n, 2, "constant_value");
  }
  if (has_in(n, 3)) fail(n, "has an axes input; supported: pads for all four dims");
  // [N0, C0, H0, W0, N1, C1, H1, W1]: begin and end of each dim.
  const bool ok = pads.size() == 8 && pads[0] == 0 && pads[1] == 0 && pads[4] == 0 && pads[5] == 0 && pads[2] >= 0 &&
                  pads[3] == pads[2] && pads[6] == pads[2] && pads[7] == pads[2];
  if (!ok) fail(n, "pads " + ints_str(pads) + " are not supported; supported: equal padding of the four H/W sides");
  if (value != 0.f) fail(n, "pads with " + num(value) + "; supported: zero padding");
  Value v = x;
  if (pads[2] > 0) {
    v.kind = Value::Kind::Padded;
    v.pad += int(pads[2]);
    v.pad_node = node_name(n);
  }
  set_out(n, 0, std::move(v));
}

// ---------------------------------------------------------------------------
// Shape changes: Flatten, Reshape

void Importer::op_flatten(const OnnxNode& n) {
  const Value x = act_in(n, 0);
  int64_t axis = attr_int(n, "axis", 1);
  if (axis < 0) axis += x.rank;
  if (axis != 1) fail(n, "axis = " + std::to_string(axis) + " is not supported; supported: axis 1 (keep the batch)");
  if (x.rank == 2) return set_out(n, 0, x);
  if (x.shape.H == 1 && x.shape.W == 1) {  // [C, 1, 1] is already flat here (after a global pool)
    Value v = x;
    v.rank = 2;
    return set_out(n, 0, std::move(v));
  }
  LayerSpec s;
  s.type = "flatten";
  set_out(n, 0, emit(node_name(n), s, {x}, {int(x.shape.size()), 1, 1}, 2));
}

void Importer::op_reshape(const OnnxNode& n) {
  const Value x = act_in(n, 0);
  const OnnxTensor& st = const_in(n, 1, "shape");
  if (st.dtype != OnnxDType::Int64 || st.dims.size() != 1 || st.ints.empty())
    fail(n, "shape is not a non-empty 1-D integer constant");
  const bool allowzero = attr_int(n, "allowzero", 0) != 0;
  const std::vector<int64_t> full = x.dims();  // [N, ...]
  std::vector<int64_t> t = st.ints;
  const std::string unsupported = "reshapes " + shape_str(full) + " to " + shape_str(st.ints) +
                                  "; supported: flattening to [N, -1] and reshapes that change nothing";
  for (size_t i = 0; i < t.size(); ++i)
    if (t[i] == 0 && !allowzero) {  // 0 copies the input's dim
      if (i >= full.size()) fail(n, unsupported);
      t[i] = full[i];
    }
  if (t[0] != kBatch && static_batch_ > 0 && t[0] == static_batch_) t[0] = kBatch;  // a model with a fixed batch
  if (t[0] != kBatch && t[0] != -1) fail(n, unsupported);
  const int64_t size = x.shape.size();
  std::vector<int64_t> rest(t.begin() + 1, t.end());
  int64_t prod = 1;
  int unknown = -1;
  for (size_t j = 0; j < rest.size(); ++j) {
    if (rest[j] == -1 && unknown < 0 && t[0] == kBatch) {
      unknown = int(j);
    } else if (rest[j] >= 1 && rest[j] <= size) {
      prod *= rest[j];
      if (prod > size) fail_shape(n, unsupported);
    } else {
      fail(n, unsupported);
    }
  }
  if (unknown >= 0) {
    if (size % prod != 0) fail_shape(n, unsupported);
    rest[size_t(unknown)] = size / prod;
  } else if (prod != size) {
    fail_shape(n, unsupported);
  }
  const std::vector<int64_t> same(full.begin() + 1, full.end());
  if (rest == same) return set_out(n, 0, x);  // a reshape that changes nothing (e.g. [N, F] -> [N, F])
  if (rest.size() != 1) fail(n, unsupported);
  if (x.shape.H == 1 && x.shape.W == 1) {  // [C, 1, 1] is already flat here
    Value v = x;
    v.rank = 2;
    return set_out(n, 0, std::move(v));
  }
  LayerSpec s;
  s.type = "flatten";
  set_out(n, 0, emit(node_name(n), s, {x}, {int(size), 1, 1}, 2));
}

}  // namespace spikeforge::onnx_detail
