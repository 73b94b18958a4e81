// ONNX import.
//
// OnnxTorchReference.*: tests/torch/onnx_reference.py builds small PyTorch
// networks with fixed random weights, exports them with torch.onnx.export and
// writes an input batch and PyTorch's logits (float64 from the float32
// parameters); each test imports the .onnx file, runs the spikeforge network in
// eval mode and compares. Without torch or onnx the script exits non-zero and
// these tests FAIL (never skip).
//
// OnnxImport.*: hand-built graphs (io/onnx_model.h structs) for what PyTorch
// does not readily export: refusals and their messages, folding rules, the
// flat parameter order.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../check_close.h"
#include "cli/model_checkpoint.h"
#include "cli/model_loader.h"
#include "convert/onnx_import.h"
#include "core/error.h"
#include "io/onnx_model.h"
#include "nn/network_builder.h"

using namespace spikeforge;
using spikeforge::test::all_close;

namespace {

// Tolerance abs + rel * |ref| = 1e-4 + 1e-4 |ref|: spikeforge runs in float32
// (eps 6e-8) from the same float32 parameters the float64 reference uses; a
// logit sums a few hundred products per layer over 8 layers, so accumulated
// rounding stays near 1e-6 relative. BatchNorm folded into a conv by the export
// (float32 weights W gamma / sqrt(var + eps)) adds ~1e-7 relative. 1e-4 is
// well above both, and far below what a wrong index, pad or eps would do.
constexpr double kAbsTol = 1e-4;
constexpr double kRelTol = 1e-4;

// ---------------------------------------------------------------------------
// The reference run and its files (format documented atop onnx_reference.py)

struct RefCase {
  std::map<std::string, std::string> meta;
  std::map<std::string, std::vector<double>> tensors;
  std::map<std::string, std::vector<int64_t>> shapes;
  std::vector<float> t_float(const std::string& name) const {
    auto it = tensors.find(name);
    if (it == tensors.end()) return {};
    return std::vector<float>(it->second.begin(), it->second.end());
  }
};

struct ReferenceRun {
  std::filesystem::path dir;
  int status = -1;
  ReferenceRun() {
    dir = std::filesystem::temp_directory_path() / ("spikeforge_onnx_ref_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    const std::string cmd =
        "/usr/bin/python3 " SPIKEFORGE_SOURCE_DIR "/tests/torch/onnx_reference.py '" + dir.string() + "'";
    const int rc = std::system(cmd.c_str());
    status = (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
  }
  ~ReferenceRun() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

ReferenceRun& reference_run() {
  static ReferenceRun run;
  return run;
}

void parse_case(const std::filesystem::path& path, RefCase* c) {
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << ": cannot open (did onnx_reference.py write it?)";
  std::string magic, tag;
  int version = 0;
  in >> magic >> version;
  ASSERT_EQ(magic, "spikeforge_torch_reference") << path;
  ASSERT_EQ(version, 1) << path;
  while (in >> tag) {
    if (tag == "end") return;
    if (tag == "meta") {
      std::string key, value;
      in >> key >> value;
      c->meta[key] = value;
    } else if (tag == "tensor") {
      std::string name;
      int ndim = -1;
      in >> name >> ndim;
      ASSERT_TRUE(in && ndim >= 0) << path << ": tensor header of " << name;
      std::vector<int64_t> shape(static_cast<size_t>(ndim));
      int64_t n = 1;
      for (auto& d : shape) in >> d, n *= d;
      std::vector<double> v(static_cast<size_t>(n));
      for (auto& x : v) in >> x;
      ASSERT_TRUE(in) << path << ": tensor " << name << " truncated";
      c->shapes[name] = shape;
      c->tensors[name] = std::move(v);
    } else {
      FAIL() << path << ": unexpected token '" << tag << "'";
    }
  }
  FAIL() << path << ": no 'end' line";
}

std::string onnx_path(const std::string& name) { return (reference_run().dir / (name + ".onnx")).string(); }

void load_case(const std::string& name, RefCase* c) {
  ASSERT_EQ(reference_run().status, 0)
      << "/usr/bin/python3 tests/torch/onnx_reference.py exited with status " << reference_run().status
      << " (message on stderr above); it needs Debian's python3-torch and python3-onnx";
  ASSERT_NO_FATAL_FAILURE(parse_case(reference_run().dir / (name + ".txt"), c));
  ASSERT_EQ(c->meta["name"], name);
  ASSERT_EQ(c->shapes["x"], (std::vector<int64_t>{16, 1, 28, 28}));
}

// Builds the imported network like a checkpoint and runs x [B, 1, 28, 28] once in eval mode.
std::vector<float> run_network(Network& net, const std::vector<float>& x, int B) {
  net.prepare(1, 1, B);
  const float* out = net.forward(x.data(), /*train=*/false);
  return std::vector<float>(out, out + int64_t(B) * net.output_shape().size());
}

std::vector<float> run_imported(const ImportedNetwork& imp, const std::vector<float>& x, int B) {
  auto net = build_network(imp.layers, NetworkDefaults{}, imp.input, "test");
  load_weights(*net, imp.params, imp.buffers, "test");
  return run_network(*net, x, B);
}

int count_type(const ImportedNetwork& imp, const std::string& type) {
  return int(std::count_if(imp.layers.begin(), imp.layers.end(), [&](const LayerSpec& s) { return s.type == type; }));
}

const LayerSpec* find_spec(const ImportedNetwork& imp, const std::string& type, int pad = -1) {
  for (const auto& s : imp.layers)
    if (s.type == type && (pad < 0 || s.pad == pad)) return &s;
  return nullptr;
}

// Imports case `name` and compares its logits with PyTorch's.
void check_case(const std::string& name, ImportedNetwork* imp_out = nullptr, const OnnxImportOptions& o = {},
                const char* ref = "logits") {
  RefCase c;
  ASSERT_NO_FATAL_FAILURE(load_case(name, &c));
  ImportedNetwork imp = import_onnx_file(onnx_path(name), o);
  const std::vector<float> got = run_imported(imp, c.t_float("x"), 16);
  ASSERT_EQ(c.shapes[ref], (std::vector<int64_t>{16, 10}));
  EXPECT_TRUE(all_close(name + " logits", got, c.tensors[ref], kAbsTol, kRelTol));
  if (imp_out) *imp_out = std::move(imp);
}

}  // namespace

// ---------------------------------------------------------------------------
// Against PyTorch

// The CNN: conv, BN, ReLU, max and average pooling (padded and not), a
// residual Add and a linear head.
TEST(OnnxTorchReference, CnnMatchesPyTorchLogits) {
  ImportedNetwork imp;
  ASSERT_NO_FATAL_FAILURE(check_case("cnn", &imp));
  EXPECT_EQ(count_type(imp, "batchnorm"), 2);  // bn1 was fused into conv1 by the export; bn2, bn3 remain
  EXPECT_EQ(count_type(imp, "add"), 1);
  EXPECT_EQ(count_type(imp, "conv2d"), 4);
  EXPECT_TRUE(find_spec(imp, "maxpool2d", 0)) << "the 2x2 fast path";
  EXPECT_TRUE(find_spec(imp, "maxpool2d", 1)) << "MaxPool pads";
  EXPECT_TRUE(find_spec(imp, "avgpool2d", 1)) << "Pad + AveragePool folded";
  EXPECT_TRUE(find_spec(imp, "avgpool2d", 0));
  EXPECT_EQ(imp.layers.back().type, "linear");
  const LayerSpec* add = find_spec(imp, "add");
  ASSERT_TRUE(add);
  EXPECT_EQ(add->from.size(), 2u);
}

TEST(OnnxTorchReference, CnnUnfusedBatchNormMatches) {
  ImportedNetwork imp;
  ASSERT_NO_FATAL_FAILURE(check_case("cnn_preserve", &imp));
  EXPECT_EQ(count_type(imp, "batchnorm"), 3);  // Conv -> BatchNormalization kept apart
}

TEST(OnnxTorchReference, CnnOpset9Matches) {
  ImportedNetwork imp;
  ASSERT_NO_FATAL_FAILURE(check_case("cnn_opset9", &imp));
  EXPECT_EQ(imp.opset, 9);
  EXPECT_TRUE(find_spec(imp, "avgpool2d", 1)) << "Pad with attributes folded";
}

// x.view(x.size(0), -1) with a dynamic batch, a bias Add after a bias-less
// conv, clamp(0, 6) as Clip, a MatMul head with its bias Add and an addmm Gemm.
void check_reshape_matmul(const std::string& name) {
  const OnnxModel m = read_onnx_model(onnx_path(name));
  std::map<std::string, int> ops;
  for (const auto& n : m.nodes) ++ops[n.op_type];
  for (const char* op : {"Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "MatMul", "Gemm", "Add", "Clip"})
    EXPECT_GT(ops[op], 0) << name << " has no " << op;
  ASSERT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].dims[0], -1) << "a dynamic batch";
  ImportedNetwork imp;
  ASSERT_NO_FATAL_FAILURE(check_case(name, &imp));
  std::vector<std::string> types;
  for (const auto& s : imp.layers) types.push_back(s.type);
  EXPECT_EQ(types, (std::vector<std::string>{"conv2d", "relu", "maxpool2d", "flatten", "linear", "relu", "linear"}));
  EXPECT_TRUE(imp.layers[0].bias) << "the bias Add folded into the conv";
  EXPECT_EQ(imp.layers[1].ceiling, 6.f) << "Clip(0, 6)";
  EXPECT_TRUE(imp.layers[4].bias) << "the MatMul's bias Add folded";
}

TEST(OnnxTorchReference, ReshapeChainMatmulBiasAddClipMatches) { check_reshape_matmul("reshape_matmul"); }
TEST(OnnxTorchReference, ReshapeChainOpset10Matches) { check_reshape_matmul("reshape_matmul_opset10"); }

TEST(OnnxTorchReference, GlobalAvgPoolRelu6Matches) {
  ImportedNetwork imp;
  ASSERT_NO_FATAL_FAILURE(check_case("gap_relu6", &imp));
  EXPECT_EQ(count_type(imp, "global_avgpool"), 1);
  EXPECT_EQ(count_type(imp, "flatten"), 0) << "flattening [N, 10, 1, 1] changes nothing";
  // F.relu6 exports as Relu then Clip(0, 6).
  ASSERT_GE(imp.layers.size(), 3u);
  EXPECT_EQ(imp.layers[1].type, "relu");
  EXPECT_EQ(imp.layers[1].ceiling, 0.f);
  EXPECT_EQ(imp.layers[2].type, "relu");
  EXPECT_EQ(imp.layers[2].ceiling, 6.f);
}

// --input-mean/--input-std: a normalize layer first, against PyTorch on (x - mean) / std.
TEST(OnnxTorchReference, NormalizeLayerMatchesStandardisedInput) {
  RefCase c;
  ASSERT_NO_FATAL_FAILURE(load_case("cnn", &c));
  OnnxImportOptions o;
  o.input_mean = std::stof(c.meta["input_mean"]);
  o.input_std = std::stof(c.meta["input_std"]);
  ImportedNetwork imp;
  ASSERT_NO_FATAL_FAILURE(check_case("cnn", &imp, o, "logits_norm"));
  ASSERT_FALSE(imp.layers.empty());
  EXPECT_EQ(imp.layers[0].type, "normalize");
  EXPECT_EQ(imp.layers[0].mean, *o.input_mean);
  EXPECT_EQ(imp.layers[0].stddev, *o.input_std);
}

// The cli path: load_model on the .onnx, a checkpoint of it, and load_model on
// that: the same logits, bitwise, and PyTorch's within tolerance.
TEST(OnnxTorchReference, LoadModelAndCheckpointRoundTrip) {
  RefCase c;
  ASSERT_NO_FATAL_FAILURE(load_case("cnn", &c));
  LoadedModel m = load_model(onnx_path("cnn"), {1, 28, 28});
  EXPECT_EQ(m.cfg.timesteps, 1);
  const std::vector<float> x = c.t_float("x");
  const std::vector<float> a = run_network(*m.net, x, 16);
  EXPECT_TRUE(all_close("load_model(cnn.onnx)", a, c.tensors["logits"], kAbsTol, kRelTol));
  const std::string ckpt = (reference_run().dir / "cnn.ckpt").string();
  save_model_checkpoint(ckpt, m.cfg, *m.net, nullptr, m.meta);
  LoadedModel r = load_model(ckpt, {1, 28, 28});
  EXPECT_EQ(run_network(*r.net, x, 16), a);
  EXPECT_EQ(r.meta["source"], onnx_path("cnn"));
  EXPECT_THROW(load_model(ckpt, {1, 28, 28}, {1.f, std::nullopt, ""}), ConfigError);
}

TEST(OnnxTorchReference, TruncatedFileIsInputErrorNamingIt) {
  ASSERT_EQ(reference_run().status, 0) << "onnx_reference.py failed";
  std::ifstream in(onnx_path("cnn"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 1000u);
  const std::string cut = (reference_run().dir / "cut.onnx").string();
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  try {
    read_onnx_model(cut);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(cut + ": not a valid ONNX model"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------
// Hand-built graphs

namespace {

OnnxTensor ften(const std::string& name, std::vector<int64_t> dims, std::vector<float> v = {}) {
  OnnxTensor t;
  t.name = name;
  t.dims = std::move(dims);
  if (v.empty()) {
    v.resize(size_t(t.numel()));
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.01f * float(int(i % 17) - 8);  // distinct small values
  }
  t.floats = std::move(v);
  return t;
}

OnnxTensor iten(const std::string& name, std::vector<int64_t> ints) {
  OnnxTensor t;
  t.name = name;
  t.dtype = OnnxDType::Int64;
  t.onnx_type = 7;
  t.dims = {int64_t(ints.size())};
  t.ints = std::move(ints);
  return t;
}

OnnxAttribute a_int(const std::string& n, int64_t v) {
  OnnxAttribute a;
  a.name = n, a.kind = OnnxAttribute::Kind::Int, a.i = v;
  return a;
}
OnnxAttribute a_ints(const std::string& n, std::vector<int64_t> v) {
  OnnxAttribute a;
  a.name = n, a.kind = OnnxAttribute::Kind::Ints, a.ints = std::move(v);
  return a;
}
OnnxAttribute a_float(const std::string& n, float v) {
  OnnxAttribute a;
  a.name = n, a.kind = OnnxAttribute::Kind::Float, a.f = v;
  return a;
}

// A graph on input "x" [N, 1, 6, 6] whose output is the last node's first output.
struct Graph {
  OnnxModel m;
  Graph() {
    m.path = "m.onnx";
    m.opset = 13;
    OnnxValueInfo x;
    x.name = "x";
    x.elem_type = 1;
    x.has_shape = true;
    x.dims = {-1, 1, 6, 6};
    m.inputs.push_back(x);
  }
  Graph& init(OnnxTensor t) {
    m.initializers.push_back(std::move(t));
    return *this;
  }
  Graph& node(const std::string& op, const std::string& name, std::vector<std::string> in,
              std::vector<OnnxAttribute> attrs = {}) {
    OnnxNode n;
    n.op_type = op;
    n.name = name;
    n.inputs = std::move(in);
    n.outputs = {name + "_out"};
    n.attributes = std::move(attrs);
    m.nodes.push_back(std::move(n));
    return *this;
  }
  ImportedNetwork import(const OnnxImportOptions& o = data66()) {
    m.outputs.clear();
    OnnxValueInfo y;
    y.name = m.nodes.back().outputs[0];
    m.outputs.push_back(y);
    return import_onnx(m, o);
  }
  static OnnxImportOptions data66() {
    OnnxImportOptions o;
    o.data_shape = {1, 6, 6};
    return o;
  }
};

// Expects import to throw E with a message containing `want`.
template <class E>
void expect_refused(Graph& g, const std::string& want, const OnnxImportOptions& o = Graph::data66()) {
  try {
    g.import(o);
    ADD_FAILURE() << "no error, expected one containing: " << want;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line";
  }
}

Graph conv_graph(bool bias = true) {
  Graph g;
  g.init(ften("W", {2, 1, 3, 3}));
  std::vector<std::string> in = {"x", "W"};
  if (bias) g.init(ften("b", {2}, {0.5f, -0.25f})), in.push_back("b");
  g.node("Conv", "conv", in, {a_ints("kernel_shape", {3, 3}), a_ints("pads", {1, 1, 1, 1})});
  return g;
}

}  // namespace

TEST(OnnxImport, UnsupportedOperatorNamesNodeAndOperator) {
  Graph g = conv_graph();
  g.node("Sigmoid", "sig", {"conv_out"});
  expect_refused<InputError>(g, "m.onnx: node 'sig' (op Sigmoid) is not supported; supported: Add, AveragePool,");
  Graph u = conv_graph();
  u.node("Sigmoid", "", {"conv_out"});  // unnamed: op and index
  expect_refused<InputError>(u, "node 'Sigmoid_1' (op Sigmoid) is not supported");
}

TEST(OnnxImport, InputShapeMismatchNamesBothShapes) {
  Graph g = conv_graph();
  g.m.inputs[0].dims = {1, 1, 32, 32};
  OnnxImportOptions o;  // the default: Fashion-MNIST's [1, 28, 28]
  expect_refused<ShapeError>(g, "m.onnx: input 'x' has shape [1, 1, 32, 32], the data has images [N, 1, 28, 28]", o);
  g.m.inputs[0].dims = {1, 32, 32};
  expect_refused<ShapeError>(g, "input 'x' has shape [1, 32, 32], the data has images [N, 1, 28, 28]", o);
  g.m.inputs[0].elem_type = 7;
  g.m.inputs[0].dims = {1, 1, 28, 28};
  expect_refused<InputError>(g, "input 'x' has type INT64, expected FLOAT", o);
}

// Conv (W, b), BatchNormalization, Flatten, Gemm: parameters in build_network's
// order, BN statistics in the buffers, ONNX momentum 0.9 -> 0.1.
TEST(OnnxImport, ParamsAndBuffersInBuilderOrder) {
  Graph g = conv_graph();
  g.init(ften("gamma", {2}, {1.5f, 0.5f}))
      .init(ften("beta", {2}, {0.1f, -0.1f}))
      .init(ften("mean", {2}, {0.2f, -0.3f}))
      .init(ften("var", {2}, {2.f, 0.25f}))
      .init(ften("Wfc", {3, 72}))
      .init(ften("bfc", {3}, {1.f, 2.f, 3.f}));
  g.node("BatchNormalization", "bn", {"conv_out", "gamma", "beta", "mean", "var"},
         {a_float("epsilon", 1e-3f), a_float("momentum", 0.9f)});
  g.node("Flatten", "flat", {"bn_out"});
  g.node("Gemm", "fc", {"flat_out", "Wfc", "bfc"}, {a_int("transB", 1)});
  const ImportedNetwork imp = g.import();
  ASSERT_EQ(imp.layers.size(), 4u);
  EXPECT_EQ(imp.layers[1].eps, 1e-3f);
  EXPECT_FLOAT_EQ(imp.layers[1].momentum, 0.1f);
  std::vector<float> want = g.m.initializers[0].floats;  // W
  for (size_t k : {1, 2, 3, 6, 7}) {                     // b, gamma, beta, Wfc, bfc
    const auto& f = g.m.initializers[k].floats;
    want.insert(want.end(), f.begin(), f.end());
  }
  EXPECT_EQ(imp.params, want);
  EXPECT_EQ(imp.buffers, (std::vector<float>{0.2f, -0.3f, 2.f, 0.25f}));
  for (const auto& s : imp.layers) EXPECT_TRUE(s.from.empty()) << s.name << ": a plain chain needs no from";
}

// The same linear head as Gemm(transB = 1), Gemm(transB = 0) with W^T, and
// MatMul(W^T) + Add(b): one linear layer with identical parameters.
TEST(OnnxImport, GemmTransposedGemmAndMatmulGiveOneLinear) {
  std::vector<float> w(3 * 36), wt(36 * 3);
  for (int o = 0; o < 3; ++o)
    for (int i = 0; i < 36; ++i) w[size_t(o * 36 + i)] = wt[size_t(i * 3 + o)] = float(o * 100 + i);
  const std::vector<float> b = {0.5f, 1.5f, 2.5f};
  auto head = [&](int variant) {
    Graph g;
    g.node("Flatten", "flat", {"x"});
    g.init(ften("b", {3}, b));
    if (variant == 0) g.init(ften("W", {3, 36}, w)).node("Gemm", "fc", {"flat_out", "W", "b"}, {a_int("transB", 1)});
    if (variant == 1) g.init(ften("W", {36, 3}, wt)).node("Gemm", "fc", {"flat_out", "W", "b"});
    if (variant == 2)
      g.init(ften("W", {36, 3}, wt)).node("MatMul", "mm", {"flat_out", "W"}).node("Add", "add", {"mm_out", "b"});
    return g.import();
  };
  const ImportedNetwork gemm = head(0), gemm_t = head(1), matmul = head(2);
  for (const ImportedNetwork* imp : {&gemm, &gemm_t, &matmul}) {
    ASSERT_EQ(imp->layers.size(), 2u);
    EXPECT_EQ(imp->layers[1].type, "linear");
    EXPECT_EQ(imp->layers[1].units, 3);
    EXPECT_TRUE(imp->layers[1].bias);
  }
  EXPECT_EQ(gemm.params, gemm_t.params);
  EXPECT_EQ(gemm.params, matmul.params);
  Graph a;
  a.init(ften("W", {3, 36}, w)).node("Flatten", "flat", {"x"});
  a.node("Gemm", "fc", {"flat_out", "W"}, {a_int("transB", 1), a_float("alpha", 2.f)});
  expect_refused<InputError>(a, "alpha = 2, beta = 1 are not supported");
}

// A constant Add after a bias-less conv becomes its bias (per channel, or a
// scalar for all); refused where the conv's output has another reader.
TEST(OnnxImport, BiasAddFoldsIntoConv) {
  Graph g = conv_graph(/*bias=*/false);
  g.init(ften("cb", {1, 2, 1, 1}, {0.75f, -0.5f})).node("Add", "add", {"cb", "conv_out"});
  ImportedNetwork imp = g.import();
  ASSERT_EQ(imp.layers.size(), 1u);
  EXPECT_TRUE(imp.layers[0].bias);
  ASSERT_EQ(imp.params.size(), 18u + 2u);
  EXPECT_EQ(imp.params[18], 0.75f);
  EXPECT_EQ(imp.params[19], -0.5f);

  Graph s = conv_graph(/*bias=*/true);  // a scalar on top of an existing bias
  s.init(ften("one", {}, {1.f})).node("Add", "add", {"conv_out", "one"});
  imp = s.import();
  EXPECT_EQ(imp.params[18], 1.5f);
  EXPECT_EQ(imp.params[19], 0.75f);

  Graph w = conv_graph();  // [C, H, W]-shaped constants are not biases
  w.init(ften("full", {2, 6, 6})).node("Add", "add", {"conv_out", "full"});
  expect_refused<ShapeError>(w, "adds a constant of dims [2, 6, 6] to [N, 2, 6, 6]");

  Graph r = conv_graph();  // conv -> relu and conv -> Add(bias): folding would change the relu's input
  r.init(ften("cb", {2, 1, 1}, {1.f, 1.f}));
  r.node("Relu", "relu", {"conv_out"})
      .node("Add", "bias", {"conv_out", "cb"})
      .node("Add", "sum", {"relu_out", "bias_out"});
  expect_refused<InputError>(r, "node 'bias' (op Add): adds a constant to the output of 'conv', which another node");

  Graph a = conv_graph();  // after a relu: nothing to fold into
  a.init(ften("cb", {2, 1, 1}, {1.f, 1.f})).node("Relu", "relu", {"conv_out"}).node("Add", "add", {"relu_out", "cb"});
  expect_refused<InputError>(a, "adds a constant to the output of a relu layer");
}

// Add of two activations: an add layer with both names in `from`; Identity and
// Dropout leave nothing behind.
TEST(OnnxImport, ResidualAddWiresFromAndIdentityVanishes) {
  Graph g = conv_graph();
  g.node("Relu", "relu", {"conv_out"}).node("Identity", "id", {"relu_out"}).node("Dropout", "drop", {"conv_out"});
  g.node("Add", "sum", {"id_out", "drop_out"});
  ImportedNetwork imp = g.import();
  ASSERT_EQ(imp.layers.size(), 3u);
  EXPECT_EQ(imp.layers[2].type, "add");
  EXPECT_EQ(imp.layers[2].from, (std::vector<std::string>{"relu", "conv"}));
  Graph self = conv_graph();
  self.node("Add", "twice", {"conv_out", "conv_out"});
  expect_refused<InputError>(self, "adds a tensor to itself");
  Graph in = conv_graph(/*bias=*/false);  // a skip from the network input
  in.node("Add", "skip", {"x", "conv_out"});
  in.m.initializers[0] = ften("W", {1, 1, 3, 3});
  imp = in.import();
  EXPECT_EQ(imp.layers[1].from, (std::vector<std::string>{"input", "conv"}));
}

// Dropout in inference vanishes (with or without its ratio and training_mode
// inputs); training_mode = 1 or a used mask is refused.
TEST(OnnxImport, DropoutOnlyInInference) {
  OnnxTensor off = iten("train", {0}), on = iten("train_on", {1});
  off.dims = on.dims = {};
  Graph g = conv_graph();
  g.init(ften("ratio", {}, {0.5f})).init(off).node("Dropout", "drop", {"conv_out", "ratio", "train"});
  g.node("Relu", "relu", {"drop_out"});
  EXPECT_EQ(g.import().layers.size(), 2u);
  Graph t = conv_graph();
  t.init(ften("ratio", {}, {0.5f})).init(on).node("Dropout", "drop", {"conv_out", "ratio", "train_on"});
  expect_refused<InputError>(t, "node 'drop' (op Dropout): training_mode is not 0");
  Graph m = conv_graph();
  m.node("Dropout", "drop", {"conv_out"});
  m.m.nodes.back().outputs.push_back("mask");
  m.node("Add", "sum", {"drop_out", "mask"});
  expect_refused<InputError>(m, "its output 1 ('mask') is used");
}

TEST(OnnxImport, ClipBecomesClampedRelu) {
  Graph g = conv_graph();
  g.init(ften("lo", {}, {0.f})).init(ften("hi", {}, {6.f})).node("Clip", "clip", {"conv_out", "lo", "hi"});
  EXPECT_EQ(g.import().layers[1].ceiling, 6.f);
  Graph a = conv_graph();  // opset < 11: attributes
  a.node("Clip", "clip", {"conv_out"}, {a_float("min", 0.f), a_float("max", 2.5f)});
  EXPECT_EQ(a.import().layers[1].ceiling, 2.5f);
  Graph n = conv_graph();  // no max: a plain relu
  n.init(ften("lo", {}, {0.f})).node("Clip", "clip", {"conv_out", "lo"});
  EXPECT_EQ(n.import().layers[1].ceiling, 0.f);
  Graph m = conv_graph();
  m.init(ften("lo", {}, {-1.f})).init(ften("hi", {}, {1.f})).node("Clip", "clip", {"conv_out", "lo", "hi"});
  expect_refused<InputError>(m, "node 'clip' (op Clip): min = -1 is not supported; supported: Clip(min 0, max c)");
}

// A zero Pad folds into the pads of the Conv or pool reading it; MaxPool only
// after a Relu; AveragePool's own pads need count_include_pad = 1.
TEST(OnnxImport, ZeroPadFoldsIntoConvAndPools) {
  auto pads = [](int p) { return iten("pads", {0, 0, p, p, 0, 0, p, p}); };
  Graph mp = conv_graph();
  mp.init(pads(1)).node("Relu", "relu", {"conv_out"}).node("Pad", "pad", {"relu_out", "pads"});
  mp.node("MaxPool", "pool", {"pad_out"}, {a_ints("kernel_shape", {3, 3}), a_ints("strides", {2, 2})});
  ImportedNetwork imp = mp.import();
  ASSERT_EQ(imp.layers.size(), 3u);
  EXPECT_EQ(imp.layers[2].type, "maxpool2d");
  EXPECT_EQ(imp.layers[2].pad, 1);

  Graph ap = conv_graph();
  ap.init(pads(1)).node("Pad", "pad", {"conv_out", "pads"});
  ap.node("AveragePool", "pool", {"pad_out"}, {a_ints("kernel_shape", {2, 2}), a_ints("strides", {2, 2})});
  imp = ap.import();
  EXPECT_EQ(imp.layers[1].type, "avgpool2d");
  EXPECT_EQ(imp.layers[1].pad, 1);

  Graph cv;  // Pad before a Conv adds to its pads
  cv.init(pads(2)).init(ften("W", {2, 1, 3, 3})).node("Pad", "pad", {"x", "pads"});
  cv.node("Conv", "conv", {"pad_out", "W"}, {a_ints("pads", {1, 1, 1, 1})});
  EXPECT_EQ(cv.import().layers[0].pad, 3);

  Graph neg = conv_graph();  // the conv output may be negative: zero and -inf padding differ
  neg.init(pads(1)).node("Pad", "pad", {"conv_out", "pads"});
  neg.node("MaxPool", "pool", {"pad_out"}, {a_ints("kernel_shape", {3, 3})});
  expect_refused<InputError>(neg, "node 'pool' (op MaxPool): reads the zero Pad 'pad' of a possibly negative input");

  Graph cip = conv_graph();
  cip.node("AveragePool", "pool", {"conv_out"}, {a_ints("kernel_shape", {3, 3}), a_ints("pads", {1, 1, 1, 1})});
  expect_refused<InputError>(cip, "pads 1 with count_include_pad = 0 are not supported");
  cip.m.nodes.back().attributes.push_back(a_int("count_include_pad", 1));
  EXPECT_EQ(cip.import().layers[1].pad, 1);

  Graph other = conv_graph();  // a Pad read by anything else
  other.init(pads(1)).node("Pad", "pad", {"conv_out", "pads"}).node("Relu", "relu", {"pad_out"});
  expect_refused<InputError>(other, "a zero Pad is supported only right before Conv, MaxPool or AveragePool");

  Graph asym = conv_graph();
  asym.init(iten("pads", {0, 0, 1, 0, 0, 0, 1, 0})).node("Pad", "pad", {"conv_out", "pads"});
  asym.node("AveragePool", "pool", {"pad_out"}, {a_ints("kernel_shape", {2, 2})});
  expect_refused<InputError>(asym, "pads [0, 0, 1, 0, 0, 0, 1, 0] are not supported");
}

TEST(OnnxImport, PoolAndConvAttributesRefused) {
  Graph big = conv_graph();
  big.node("MaxPool", "pool", {"conv_out"}, {a_ints("kernel_shape", {2, 2}), a_ints("pads", {2, 2, 2, 2})});
  expect_refused<InputError>(big, "pad 2 exceeds half the kernel 2");
  Graph ceil = conv_graph();
  ceil.node("MaxPool", "pool", {"conv_out"},
            {a_ints("kernel_shape", {2, 2}), a_ints("strides", {3, 3}), a_int("ceil_mode", 1)});
  expect_refused<InputError>(ceil, "ceil_mode = 1 adds a partial window");
  Graph grp = conv_graph();
  grp.m.nodes[0].attributes.push_back(a_int("group", 2));
  expect_refused<InputError>(grp, "node 'conv' (op Conv): group = 2 is not supported");
  Graph rect;
  rect.init(ften("W", {2, 1, 3, 1})).node("Conv", "conv", {"x", "W"});
  expect_refused<InputError>(rect, "kernel [3, 1] is not supported; supported: square kernels");
}

// Reshape: [N, -1] from the Shape chain, [0, -1], [-1, F] -> flatten; others refused.
TEST(OnnxImport, ReshapeVariants) {
  Graph chain = conv_graph();  // x.view(x.size(0), -1) as PyTorch exports it
  OnnxTensor zero = iten("zero", {0});
  zero.dims = {};  // a scalar index: Gather gives the scalar N
  chain.init(zero).init(iten("minus1", {-1}));
  chain.node("Shape", "shape", {"conv_out"}).node("Gather", "gather", {"shape_out", "zero"});
  chain.node("Unsqueeze", "unsq", {"gather_out"}, {a_ints("axes", {0})});
  chain.node("Concat", "cat", {"unsq_out", "minus1"}, {a_int("axis", 0)});
  chain.node("Reshape", "reshape", {"conv_out", "cat_out"});
  ImportedNetwork imp = chain.import();
  ASSERT_EQ(imp.layers.size(), 2u);
  EXPECT_EQ(imp.layers[1].type, "flatten");

  for (std::vector<int64_t> shape : {std::vector<int64_t>{0, -1}, std::vector<int64_t>{-1, 72}}) {
    Graph g = conv_graph();
    g.init(iten("s", shape)).node("Reshape", "reshape", {"conv_out", "s"});
    imp = g.import();
    ASSERT_EQ(imp.layers.size(), 2u);
    EXPECT_EQ(imp.layers[1].type, "flatten");
  }
  Graph bad = conv_graph();
  bad.init(iten("s", {0, 2, 36})).node("Reshape", "reshape", {"conv_out", "s"});
  expect_refused<InputError>(bad, "reshapes [N, 2, 6, 6] to [0, 2, 36]; supported: flattening to [N, -1]");
  Graph act = conv_graph();  // folding ops on activations
  act.init(iten("i", {0})).node("Gather", "gather", {"conv_out", "i"});
  expect_refused<InputError>(act, "node 'gather' (op Gather) on an activation is not supported");
}

TEST(OnnxImport, NormalizeFirstAndBadStdRefused) {
  Graph g = conv_graph();
  OnnxImportOptions o = Graph::data66();
  o.input_std = 0.5f;
  ImportedNetwork imp = g.import(o);
  ASSERT_EQ(imp.layers.size(), 2u);
  EXPECT_EQ(imp.layers[0].type, "normalize");
  EXPECT_EQ(imp.layers[0].mean, 0.f);
  EXPECT_EQ(imp.layers[0].stddev, 0.5f);
  o.input_std = 0.f;
  expect_refused<ConfigError>(g, "m.onnx: --input-std 0, expected a finite number > 0", o);
}

// A flat [N, F] input takes the images through a flatten layer first.
TEST(OnnxImport, FlatInputGetsFlattenFirst) {
  Graph g;
  g.m.inputs[0].dims = {-1, 36};
  g.init(ften("W", {36, 10})).node("MatMul", "mm", {"x", "W"});
  ImportedNetwork imp = g.import();
  ASSERT_EQ(imp.layers.size(), 2u);
  EXPECT_EQ(imp.layers[0].type, "flatten");
  EXPECT_EQ(imp.layers[1].type, "linear");
  EXPECT_FALSE(imp.layers[1].bias);
}

TEST(OnnxImport, ReaderRejectsMissingEmptyAndGarbageFiles) {
  EXPECT_THROW(read_onnx_model("/nonexistent/model.onnx"), InputError);
  try {
    read_onnx_model("/nonexistent/model.onnx");
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/model.onnx: ONNX file not found");
  }
  for (const std::string& bytes :
       {std::string(), std::string("hello, this is not protobuf\n"), std::string("\x0a\xff\xff\xff\x0f", 5)}) {
    try {
      parse_onnx_model(bytes, "g.onnx");
      ADD_FAILURE() << "no error for " << bytes.size() << " bytes";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("g.onnx: ", 0), 0u) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
}

// An imported network as a config: every layer's keys (pool pads, normalize
// mean/std, relu ceiling, add's from) survive parse_train_config, and the
// resolved config parses again to the same layers.
TEST(OnnxImport, ImportedConfigRoundTrips) {
  auto pads = iten("pads", {0, 0, 1, 1, 0, 0, 1, 1});
  Graph g = conv_graph();
  g.init(pads).init(ften("lo", {}, {0.f})).init(ften("hi", {}, {3.f}));
  g.node("Clip", "clip", {"conv_out", "lo", "hi"}).node("Pad", "pad", {"clip_out", "pads"});
  g.node("MaxPool", "mp", {"pad_out"}, {a_ints("kernel_shape", {3, 3}), a_ints("strides", {1, 1})});
  g.node("AveragePool", "ap", {"mp_out"},
         {a_ints("kernel_shape", {3, 3}), a_ints("pads", {1, 1, 1, 1}), a_int("count_include_pad", 1)});
  g.node("Add", "sum", {"ap_out", "clip_out"});
  OnnxImportOptions o = Graph::data66();
  o.input_mean = 0.25f;
  o.input_std = 0.75f;
  const ImportedNetwork imp = g.import(o);
  const TrainConfig cfg = imported_config(imp, "", "m.onnx");
  ASSERT_EQ(cfg.layers.size(), imp.layers.size());
  for (size_t i = 0; i < imp.layers.size(); ++i)
    EXPECT_EQ(layer_spec_json(cfg.layers[i]), layer_spec_json(imp.layers[i])) << "layer " << i;
  EXPECT_EQ(cfg.layers[0].type, "normalize");
  EXPECT_EQ(cfg.layers[0].stddev, 0.75f);
  EXPECT_EQ(cfg.layers[3].pad, 1);  // maxpool2d
  EXPECT_EQ(cfg.layers[4].pad, 1);  // avgpool2d
  EXPECT_EQ(cfg.layers[5].from, (std::vector<std::string>{"ap", "clip"}));
  const TrainConfig again = parse_train_config(cfg.resolved, "again");
  EXPECT_EQ(again.resolved, cfg.resolved);
  auto net = build_network(again.layers, again.network_defaults(), imp.input, "again");
  EXPECT_EQ(net->params().size(), imp.params.size());
}
