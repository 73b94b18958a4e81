#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace spikeforge {

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      tty_(::isatty(2)),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::print(int64_t done, bool final_line) {
  const double s = seconds(), rate = s > 0 ? double(done) / s : 0.0;
  const double eta = rate > 0 ? double(total_ - done) / rate : 0.0;
  std::fprintf(stderr, "%s%s %lld/%lld (%3.0f%%)  %.0f samples/s  ETA %d:%02d%s", tty_ ? "\r" : "", label_.c_str(),
               (long long)done, (long long)total_, 100.0 * double(done) / double(total_ ? total_ : 1), rate,
               int(eta) / 60, int(eta) % 60, (tty_ && !final_line) ? "   " : "\n");
  std::fflush(stderr);
}

void Progress::update(int64_t done) {
  auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (std::chrono::duration<double>(now - last_).count() < 0.25) return;
    last_ = now;
    print(done, false);
    return;
  }
  int decile = int(10 * done / (total_ ? total_ : 1));
  if (decile > last_decile_ && decile < 10) {
    last_decile_ = decile;
    print(done, false);
  }
}

void Progress::finish() { print(total_, true); }

}  // namespace spikeforge
