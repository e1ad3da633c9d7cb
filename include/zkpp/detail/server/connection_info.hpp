#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zkpp/types.hpp"

namespace zkpp::detail::server {

using connection_id = std::uint64_t;

// Latency samples in ms, summarised as ZooKeeper's four-letter words show them.
struct latency_stats {
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::int64_t total = 0;
  std::int64_t count = 0;
  void add(std::int64_t ms);
};

// What the server knows about one client connection.
struct connection_info {
  connection_id id = 0;
  std::string address;
  std::uint16_t port = 0;
  std::size_t member = 0;       // the ensemble member it came through
  std::int64_t session_id = 0;  // 0 until the handshake succeeded
  std::int32_t timeout_ms = 0;
  std::vector<zkpp::id> identities;  // ip:<address>, then digest / super from auth packets
  bool closing = false;

  std::uint64_t received = 0;
  std::uint64_t sent = 0;
  std::string last_op = "NA";
  std::int32_t last_cxid = -1;
  std::int64_t last_zxid = -1;
  std::int64_t established = 0;    // wall ms
  std::int64_t accepted_at = 0;    // steady ms
  std::int64_t last_response = 0;  // wall ms
  std::int64_t last_latency = 0;
  latency_stats latency;
};

}  // namespace zkpp::detail::server
