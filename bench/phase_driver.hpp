#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "load_options.hpp"

namespace zkpp::bench {

// How long a pipelined phase waits for requests still in flight after its
// time limit before giving up (exit_no_drain).
inline constexpr std::chrono::seconds drain_grace{15};

// `total` operations spread as evenly as possible over `parts` clients.
inline std::vector<std::int64_t> split(std::int64_t total, std::size_t parts) {
  std::vector<std::int64_t> out(parts, total / static_cast<std::int64_t>(parts));
  for (std::size_t i = 0; i < static_cast<std::size_t>(total % static_cast<std::int64_t>(parts));
       ++i)
    ++out[i];
  return out;
}

// Calls `wait_step()` (which returns after some progress or ~50 ms) while
// `busy()`; calls `stop()` once `limit` has passed. False if still busy
// `drain_grace` after the limit.
template <class Busy, class WaitStep, class Stop>
bool wait_drained(Busy busy, WaitStep wait_step, std::chrono::steady_clock::time_point limit,
                  Stop stop) {
  while (busy()) {
    wait_step();
    const auto now = std::chrono::steady_clock::now();
    if (now >= limit) stop();
    if (now >= limit + drain_grace) return false;
  }
  return true;
}

// What a pipelined phase counts for one client.
struct worker_counts {
  std::int64_t target = 0;
  std::int64_t issued = 0;
  std::int64_t completed = 0;
  int in_flight = 0;
  std::int64_t errors = 0;
  std::vector<std::uint32_t> latencies_us;
  std::vector<std::string> created;  // create phase: what the delete phase removes

  void start(std::int64_t new_target) {
    target = new_target;
    issued = completed = errors = 0;
    in_flight = 0;
    latencies_us.clear();
    latencies_us.reserve(static_cast<std::size_t>(target));
  }

  // Adds this client's samples and counts to the phase result.
  void merge_into(phase_result& r) const {
    r.latencies_us.insert(r.latencies_us.end(), latencies_us.begin(), latencies_us.end());
    r.errors += errors;
    if (completed < target) r.truncated = true;
  }
};

}  // namespace zkpp::bench
