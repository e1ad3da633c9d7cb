#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace zkpp {

// A snapshot of what a client has done, readable from any thread.
struct client_metrics {
  std::map<std::string, std::uint64_t> requests_by_op{};  // "get_data" -> count
  std::map<int, std::uint64_t> errors_by_code{};          // ZooKeeper / zkpp code -> count
  std::uint64_t reconnects = 0;                           // sessions resumed on a new connection
  std::uint64_t expirations = 0;                          // sessions the server declared expired
  std::uint64_t watches = 0;                              // watches registered now
  std::uint64_t in_flight = 0;                            // requests sent and not yet answered
  // Reply latency: (upper bound in microseconds, count), bounds doubling.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> latency_us{};
};

}  // namespace zkpp
