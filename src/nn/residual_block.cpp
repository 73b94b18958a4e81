#include "nn/residual_block.h"

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<SkipKind> kSkipNames[] = {
    {"spike_add", SkipKind::SpikeAdd}, {"membrane_add", SkipKind::MembraneAdd}, {"sew_add", SkipKind::SewAdd},
    {"sew_and", SkipKind::SewAnd},     {"sew_iand", SkipKind::SewIand},         {"none", SkipKind::None}};

SkipKind parse_skip_kind(const std::string& s) { return parse_enum("skip", s, kSkipNames); }
const char* skip_kind_name(SkipKind k) { return enum_name(k, kSkipNames); }

namespace {

LayerSpec conv_spec(int channels, int kernel, int stride) {
  LayerSpec s;
  s.type = "conv2d";
  s.channels = channels;
  s.kernel = kernel;
  s.stride = stride;
  s.pad = kernel / 2;
  s.bias = false;  // the norm that follows has the shift (or, as BNTT, none at all)
  return s;
}

LayerSpec typed(const std::string& type, const LayerSpec& block) {
  LayerSpec s;
  s.type = type;
  s.eps = block.eps;
  s.momentum = block.momentum;
  s.bias = false;  // bntt: no bias, as the paper
  return s;
}

}  // namespace

int add_residual_block(Network& net, const LayerSpec& b, int input, const LayerMaker& make) {
  const SkipKind skip = parse_skip_kind(b.skip);
  const std::string neuron = b.neuron.empty() ? "lif" : b.neuron;
  const bool norm = b.norm != "none";
  auto add = [&](const LayerSpec& s, std::vector<int> from) {
    const FeatShape in = net.shape_of(from.empty() ? int(net.layers().size()) - 1 : from[0]);
    return net.add(make(s, in), std::move(from));
  };
  const FeatShape in = net.shape_of(input);
  const int stride = b.stride > 0 ? b.stride : 1;
  // main path
  int m = add(conv_spec(b.channels, 3, stride), {input});
  if (norm) m = add(typed(b.norm, b), {});
  m = add(typed(neuron, b), {});
  m = add(conv_spec(b.channels, 3, 1), {});
  if (norm) m = add(typed(b.norm, b), {});
  if (skip == SkipKind::None) return add(typed(neuron, b), {});
  // skip path: identity, or the down-sampling projection
  int x = input;
  if (stride != 1 || in.C != b.channels) {
    x = add(conv_spec(b.channels, 1, stride), {input});
    if (norm) x = add(typed(b.norm, b), {});
    if (skip != SkipKind::SpikeAdd && skip != SkipKind::MembraneAdd) x = add(typed(neuron, b), {});  // SEW: spikes
  }
  if (skip == SkipKind::MembraneAdd) {
    const int sum = add(typed("add", b), {m, x});  // into the neuron's input current
    return add(typed(neuron, b), {sum});
  }
  const int a = add(typed(neuron, b), {m});
  if (skip == SkipKind::SpikeAdd) return add(typed("add", b), {a, x});
  LayerSpec j = typed("sew", b);
  j.op = skip == SkipKind::SewAdd ? "add" : skip == SkipKind::SewAnd ? "and" : "iand";
  return add(j, {a, x});
}

}  // namespace spikeforge
