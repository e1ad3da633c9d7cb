#pragma once

#include <algorithm>
#include <chrono>

namespace zkpp::detail::server {

// How long the server's thread keeps polling its sockets once it has nothing
// to do, before it blocks in the kernel. Waking a blocked thread costs tens
// of microseconds on a virtual CPU that halts when idle, which is a round
// trip's worth of time; polling costs a CPU instead. The window adapts as
// Linux's guest halt-polling does: it grows while work comes back sooner
// than `max` after the server went idle, and halves each time it does not,
// so sparse traffic leaves the window at zero and costs no polling at all.
class idle_poll_window {
 public:
  using duration = std::chrono::nanoseconds;

  explicit idle_poll_window(duration max) : max_{max}, start_{max / 4} {}

  duration current() const { return window_; }

  // The server was idle for `idle` (polling, then blocked if that ran out).
  void idle_ended(duration idle) {
    if (idle <= window_) return;
    if (idle <= max_) {
      window_ = window_ < start_ ? start_ : std::min(max_, window_ * 2);
    } else {
      window_ /= 2;
      if (window_ < min_) window_ = duration::zero();
    }
  }

 private:
  static constexpr duration min_ = std::chrono::microseconds{1};
  duration max_;
  duration start_;
  duration window_ = duration::zero();
};

}  // namespace zkpp::detail::server
