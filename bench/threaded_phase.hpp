#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "load_options.hpp"

namespace zkpp::bench {

// Runs `body(i, part, limit)` on one thread per client i, each filling its
// own phase_result `part` until the steady-clock `limit`; merges the parts.
template <class Body>
phase_result run_threaded_phase(std::string op, std::size_t clients, double time_limit_s,
                                Body body) {
  using clock_type = std::chrono::steady_clock;
  const auto start = clock_type::now();
  const auto limit = start + std::chrono::duration_cast<clock_type::duration>(
                                 std::chrono::duration<double>(time_limit_s));
  std::vector<phase_result> parts(clients);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < clients; ++i)
    threads.emplace_back([&, i] { body(i, parts[i], limit); });
  for (auto& t : threads) t.join();
  phase_result r;
  r.op = std::move(op);
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  for (auto& p : parts) {
    r.latencies_us.insert(r.latencies_us.end(), p.latencies_us.begin(), p.latencies_us.end());
    r.errors += p.errors;
    r.truncated = r.truncated || p.truncated;
  }
  return r;
}

inline std::uint32_t micros_since(std::chrono::steady_clock::time_point t0) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count());
}

}  // namespace zkpp::bench
