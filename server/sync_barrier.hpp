#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "zkpp/detail/server/connection_info.hpp"

namespace zkpp::detail::server {

// Output held back, under the batched fsync policy, until the transactions
// logged before it are on disk: one sync, at the next turn of the event
// loop, for every write applied meanwhile. Frames and closes leave in the
// order they were produced. Used on the server's thread only.
class sync_barrier {
 public:
  // Sends a frame, or closes the connection after a flush when it is nullopt.
  using release_fn = std::function<void(connection_id, std::optional<std::string>)>;

  sync_barrier(asio::io_context& io, std::function<void()> sync, release_fn release);

  bool holding() const { return !queue_.empty(); }
  void hold(connection_id to, std::optional<std::string> frame);
  // Drops whatever is held (the server is stopping).
  void cancel();

 private:
  void sync_and_release();

  asio::steady_timer timer_;
  std::function<void()> sync_;
  release_fn release_;
  std::deque<std::pair<connection_id, std::optional<std::string>>> queue_;
};

}  // namespace zkpp::detail::server
