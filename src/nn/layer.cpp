#include "nn/layer.h"

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

std::string FeatShape::str() const {
  return "[" + std::to_string(C) + ", " + std::to_string(H) + ", " + std::to_string(W) + "]";
}

static constexpr EnumName<InitKind> kInitNames[] = {{"kaiming_uniform", InitKind::KaimingUniform},
                                                    {"kaiming_normal", InitKind::KaimingNormal}};

InitKind parse_init_kind(const std::string& s) { return parse_enum("init", s, kInitNames); }
const char* init_name(InitKind k) { return enum_name(k, kInitNames); }

}  // namespace spikeforge
