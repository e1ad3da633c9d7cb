#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "zkpp/results.hpp"

namespace zkpp::detail {

// Which watch a request leaves behind when it succeeds.
enum class watch_kind : std::uint8_t { none, data, exist, child, persistent, persistent_recursive };

// What a reply decoder needs besides the bytes.
struct reply_context {
  std::string_view chroot;
  std::int32_t opcode = 0;
};

// Receives the reply body (or the error) of one request; type-erased so the
// session can hold requests of every result type in one queue.
class reply_handler {
 public:
  virtual ~reply_handler() = default;
  virtual void on_reply(std::error_code ec, std::string_view body, const reply_context& ctx) = 0;
};

// One request, encoded and ready for the session to number and send.
struct request {
  std::int32_t opcode = 0;
  std::string body;         // the encoded request record (no header)
  std::string server_path;  // the path with the chroot applied; for watch bookkeeping
  watch_kind watch = watch_kind::none;
  zkpp::watcher watcher;
  std::error_code invalid;  // set when validation failed: completes without being sent
  std::unique_ptr<reply_handler> handler;
  std::uint64_t id = 0;  // client-wide, for cancellation
  std::chrono::steady_clock::time_point submitted{};
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

}  // namespace zkpp::detail
