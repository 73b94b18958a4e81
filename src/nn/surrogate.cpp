#include "nn/surrogate.h"

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<SurrogateKind> kSurrogateNames[] = {{"fast_sigmoid", SurrogateKind::FastSigmoid},
                                                              {"arctan", SurrogateKind::Arctan},
                                                              {"triangle", SurrogateKind::Triangle}};

SurrogateKind parse_surrogate_kind(const std::string& s) { return parse_enum("surrogate", s, kSurrogateNames); }
const char* surrogate_name(SurrogateKind k) { return enum_name(k, kSurrogateNames); }

}  // namespace spikeforge
