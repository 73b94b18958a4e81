#include "nn/lif_neuron.h"

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<ResetKind> kResetNames[] = {{"soft", ResetKind::Soft}, {"hard", ResetKind::Hard}};

ResetKind parse_reset_kind(const std::string& s) { return parse_enum("reset", s, kResetNames); }

}  // namespace spikeforge
