#include "learn/plastic_projection.h"

#include "core/enum_names.h"

namespace spikeforge {

static constexpr EnumName<SimEngine> kSimEngines[] = {{"dense", SimEngine::Dense}, {"event", SimEngine::Event}};
SimEngine parse_sim_engine(const std::string& s) { return parse_enum("engine", s, kSimEngines); }
const char* sim_engine_name(SimEngine e) { return enum_name(e, kSimEngines); }

}  // namespace spikeforge
