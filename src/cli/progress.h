// A progress line for long work: done/total, samples/s and ETA, on stderr.
// On a terminal it redraws one line (at most 4 times a second); otherwise it
// prints a line at each 10 % so logs stay short.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace spikeforge {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  void update(int64_t done);
  void finish();
  double seconds() const;

 private:
  void print(int64_t done, bool final_line);
  std::string label_;
  int64_t total_;
  bool tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace spikeforge
