#include "sync_barrier.hpp"

namespace zkpp::detail::server {

sync_barrier::sync_barrier(asio::io_context& io, std::function<void()> sync, release_fn release)
    : timer_(io), sync_(std::move(sync)), release_(std::move(release)) {}

void sync_barrier::hold(connection_id to, std::optional<std::string> frame) {
  const bool was_empty = queue_.empty();
  queue_.emplace_back(to, std::move(frame));
  if (!was_empty) return;
  // An expired timer fires once the loop next polls for I/O, after the
  // handlers that are ready now: the writes they apply share this sync.
  timer_.expires_at(asio::steady_timer::time_point::min());
  timer_.async_wait([this](std::error_code ec) {
    if (!ec) sync_and_release();
  });
}

void sync_barrier::cancel() {
  timer_.cancel();
  queue_.clear();
}

void sync_barrier::sync_and_release() {
  sync_();
  auto held = std::move(queue_);
  queue_.clear();
  for (auto& [to, frame] : held) release_(to, std::move(frame));
}

}  // namespace zkpp::detail::server
