#include "nn/neuron_model.h"

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<NeuronModelKind> kModelNames[] = {{"lif", NeuronModelKind::Lif},
                                                            {"alif", NeuronModelKind::Alif},
                                                            {"ahp", NeuronModelKind::Ahp},
                                                            {"cuba", NeuronModelKind::Cuba}};
static constexpr EnumName<LearnBeta> kLearnBetaNames[] = {
    {"none", LearnBeta::None}, {"layer", LearnBeta::Layer}, {"neuron", LearnBeta::Neuron}};

NeuronModelKind parse_neuron_model(const std::string& s) { return parse_enum("neuron", s, kModelNames); }
const char* neuron_model_name(NeuronModelKind k) { return enum_name(k, kModelNames); }
LearnBeta parse_learn_beta(const std::string& s) { return parse_enum("learn_beta", s, kLearnBetaNames); }
const char* learn_beta_name(LearnBeta k) { return enum_name(k, kLearnBetaNames); }

}  // namespace spikeforge
