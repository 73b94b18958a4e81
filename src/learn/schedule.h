// Learning-rate schedules, evaluated per optimiser step k of K in total
// (steps_per_epoch * epochs), so a resumed run continues on the same curve.
//   constant: lr_k = lr
//   cosine:   lr_k = lr_min + (lr - lr_min) (1 + cos(pi k / K)) / 2
//   step:     lr_k = lr * gamma^floor(epoch_k / step_epochs)
#pragma once
#include <cstdint>
#include <string>

namespace spikeforge {

enum class ScheduleKind { Constant, Cosine, Step };
ScheduleKind parse_schedule_kind(const std::string& s);  // throws ConfigError

struct ScheduleParams {
  ScheduleKind kind = ScheduleKind::Cosine;
  float lr_min = 0.f;    // cosine
  int step_epochs = 10;  // step
  float gamma = 0.1f;    // step
};

float scheduled_lr(const ScheduleParams& p, float lr, int64_t k, int64_t K, int64_t steps_per_epoch);

}  // namespace spikeforge
