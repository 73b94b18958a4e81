#include "learn/schedule.h"

#include <cmath>
#include <numbers>

#include "core/enum_names.h"
#include "core/error.h"

namespace spikeforge {

static constexpr EnumName<ScheduleKind> kScheduleNames[] = {
    {"constant", ScheduleKind::Constant}, {"cosine", ScheduleKind::Cosine}, {"step", ScheduleKind::Step}};

ScheduleKind parse_schedule_kind(const std::string& s) { return parse_enum("schedule", s, kScheduleNames); }

float scheduled_lr(const ScheduleParams& p, float lr, int64_t k, int64_t K, int64_t steps_per_epoch) {
  switch (p.kind) {
    case ScheduleKind::Constant:
      return lr;
    case ScheduleKind::Cosine:
      return p.lr_min + (lr - p.lr_min) * 0.5f * (1.f + std::cos(std::numbers::pi_v<float> * float(k) / float(K)));
    case ScheduleKind::Step: {
      const int64_t epoch = steps_per_epoch > 0 ? k / steps_per_epoch : 0;
      return lr * std::pow(p.gamma, float(epoch / p.step_epochs));
    }
  }
  return lr;
}

}  // namespace spikeforge
