#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "zkpp/detail/server/connection_info.hpp"

namespace zkpp::detail::server {

// Output held back by the stall and delay faults. Frames and closes leave in
// the order they were produced, each once the stall is over and its own
// delay has passed. Used on the server's thread only.
class reply_gate {
 public:
  using clock = std::chrono::steady_clock;
  // Sends a frame, or closes the connection after a flush when it is nullopt.
  using release_fn = std::function<void(connection_id, std::optional<std::string>)>;

  reply_gate(asio::io_context& io, release_fn release);

  // Whether output produced now has to wait (a fault is on, or earlier
  // output is still waiting and must leave first).
  bool holding() const;
  void hold(connection_id to, std::optional<std::string> frame);
  // Until now + d; 0 ends a stall and releases what is due.
  void stall_for(std::chrono::milliseconds d);
  void delay_by(std::chrono::milliseconds d);
  bool stalled() const { return clock::now() < stall_until_; }
  std::chrono::milliseconds delay() const { return delay_; }
  // Drops whatever is held (the server is stopping).
  void cancel();

 private:
  struct held {
    connection_id to;
    std::optional<std::string> frame;
    clock::time_point not_before;
  };
  void release_due();

  asio::steady_timer timer_;
  release_fn release_;
  std::deque<held> queue_;
  clock::time_point stall_until_{};
  std::chrono::milliseconds delay_{0};
};

}  // namespace zkpp::detail::server
