#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zkpp::bench {

// The command line shared by zkpp-bench and its peer tools, so every tool
// runs the same workload and prints the same RESULT line.
struct load_options {
  std::string hosts;
  std::string op;
  int window = 1;
  std::int64_t ops = 10000;
  int clients = 1;
  std::int64_t cycles = 100;  // lock: acquire/release cycles per client
  int size = 100;
  std::int64_t warmup = -1;  // -1: min(ops / 10, 20000)
  double time_limit_s = 60;
  std::string label = "bench";
};

// Parses argv; nullopt after printing a usage message to stderr.
std::optional<load_options> parse_load_options(int argc, char** argv,
                                               const std::vector<std::string>& ops);

// Latency samples (µs) and counts of one phase, and its RESULT line.
struct phase_result {
  std::string op;
  std::vector<std::uint32_t> latencies_us;
  std::int64_t errors = 0;
  double seconds = 0;
  bool truncated = false;
};

// Prints `RESULT client=... op=... ...` on stdout.
void print_result(const std::string& client, const load_options& o, phase_result& r);

// Exit codes shared by the tools.
inline constexpr int exit_ok = 0;
inline constexpr int exit_errors = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_no_drain = 3;

}  // namespace zkpp::bench
