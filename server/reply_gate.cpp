#include "reply_gate.hpp"

#include <algorithm>

namespace zkpp::detail::server {

reply_gate::reply_gate(asio::io_context& io, release_fn release)
    : timer_(io), release_(std::move(release)) {}

bool reply_gate::holding() const {
  return !queue_.empty() || delay_.count() > 0 || stalled();
}

void reply_gate::hold(connection_id to, std::optional<std::string> frame) {
  const bool was_empty = queue_.empty();
  queue_.push_back({to, std::move(frame), clock::now() + delay_});
  if (was_empty) release_due();
}

void reply_gate::stall_for(std::chrono::milliseconds d) {
  stall_until_ = clock::now() + d;
  release_due();
}

void reply_gate::delay_by(std::chrono::milliseconds d) {
  delay_ = std::max(d, std::chrono::milliseconds{0});
}

void reply_gate::cancel() {
  queue_.clear();
  timer_.cancel();
}

void reply_gate::release_due() {
  const auto now = clock::now();
  while (!queue_.empty() && std::max(stall_until_, queue_.front().not_before) <= now) {
    auto h = std::move(queue_.front());
    queue_.pop_front();
    release_(h.to, std::move(h.frame));
  }
  if (queue_.empty()) {
    timer_.cancel();
    return;
  }
  // Re-armed on every change; a cancelled wait just returns.
  timer_.expires_at(std::max(stall_until_, queue_.front().not_before));
  timer_.async_wait([this](std::error_code ec) {
    if (!ec) release_due();
  });
}

}  // namespace zkpp::detail::server
