#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <system_error>

#include "zkpp/metrics.hpp"

namespace zkpp::detail {

// Counters written by the session's strand and read by any thread; relaxed
// atomics keep the hot path free of locks.
class metrics_registry {
 public:
  void request_sent(std::int32_t opcode);
  void request_done(std::int32_t opcode, std::error_code ec, std::chrono::nanoseconds latency);
  void reconnected() { reconnects_.fetch_add(1, std::memory_order_relaxed); }
  void expired() { expirations_.fetch_add(1, std::memory_order_relaxed); }
  void set_watches(std::size_t n) { watches_.store(n, std::memory_order_relaxed); }
  void set_in_flight(std::size_t n) { in_flight_.store(n, std::memory_order_relaxed); }

  client_metrics snapshot() const;

 private:
  static constexpr int opcode_offset = 16;  // opcodes run from -11 (closeSession) to 107
  static constexpr std::size_t opcode_slots = 128;
  static constexpr std::size_t error_slots = 129;  // codes 0..-127, and one for the rest
  static constexpr std::size_t latency_buckets = 32;

  std::array<std::atomic<std::uint64_t>, opcode_slots> requests_{};
  std::array<std::atomic<std::uint64_t>, error_slots> errors_{};
  std::array<std::atomic<std::uint64_t>, latency_buckets> latency_{};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::uint64_t> expirations_{0};
  std::atomic<std::uint64_t> watches_{0};
  std::atomic<std::uint64_t> in_flight_{0};
};

}  // namespace zkpp::detail
