#include "zkpp/recipes/detail/rewatch.hpp"

#include <asio/error.hpp>

#include <utility>

#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes::detail {

std::shared_ptr<rewatch> rewatch::make(client& zk, look_fn look) {
  return std::make_shared<rewatch>(zk, std::move(look));
}

std::shared_ptr<rewatch> rewatch::start(client& zk, look_fn look) {
  auto self = make(zk, std::move(look));
  self->begin();
  return self;
}

void rewatch::begin() {
  auto sub = zk_.on_state([weak = weak_from_this()](session_state s) {
    if (s != session_state::connected && s != session_state::reconnected) return;
    if (auto self = weak.lock()) self->poke();
  });
  {
    std::lock_guard lock{m_};
    if (!stopped_) subscription_ = std::exchange(sub, {});
  }
  sub.unsubscribe();  // stopped before it began
  poke();
}

void rewatch::stop() {
  state_subscription sub;
  {
    std::lock_guard lock{m_};
    stopped_ = true;
    sub = std::exchange(subscription_, {});
  }
  sub.unsubscribe();
}

void rewatch::poke() {
  {
    std::lock_guard lock{m_};
    if (stopped_) return;
    attempt_ = 0;
  }
  run();
}

void rewatch::run() {
  std::unique_lock lock{m_};
  if (stopped_) return;
  const auto g = ++generation_;
  lock.unlock();
  look_(
      [weak = weak_from_this(), g](const watch_event& e) {
        // Session events (type none) come with a state change, handled there.
        if (e.type == event_type::none) return;
        auto self = weak.lock();
        if (!self) return;
        std::unique_lock lock{self->m_};
        if (g != self->generation_) return;
        lock.unlock();
        self->poke();
      },
      [weak = weak_from_this(), g](std::error_code ec) {
        if (auto self = weak.lock()) self->on_done(g, ec);
      });
}

void rewatch::on_done(std::uint64_t g, std::error_code ec) {
  if (!retryable(ec)) return;
  std::unique_lock lock{m_};
  if (g != generation_ || stopped_) return;
  const auto attempt = attempt_++;
  lock.unlock();
  retry_later(zk_, attempt, [weak = weak_from_this(), g] {
    auto self = weak.lock();
    if (!self) return;
    std::unique_lock lock{self->m_};
    if (g != self->generation_) return;
    lock.unlock();
    self->run();
  });
}

void rewatch_lifecycle::start(client& zk, completion<std::error_code> done, rewatch::look_fn look) {
  std::unique_lock lock{m_};
  if (closed_ || ready_) {
    const auto ec = closed_ ? std::error_code{asio::error::operation_aborted} : std::error_code{};
    lock.unlock();
    if (done) done(ec);
    return;
  }
  if (done) waiters_.push_back(std::move(done));
  if (loop_) return;
  loop_ = rewatch::make(zk, std::move(look));
  auto loop = loop_;
  lock.unlock();
  loop->begin();
}

void rewatch_lifecycle::ready() {
  {
    std::lock_guard lock{m_};
    if (closed_ || ready_) return;
    ready_ = true;
  }
  complete({});
}

void rewatch_lifecycle::failed(std::error_code ec) {
  complete(ec);
}

bool rewatch_lifecycle::close() {
  std::unique_lock lock{m_};
  if (closed_) return false;
  closed_ = true;
  const bool started = loop_ != nullptr;
  if (loop_) loop_->stop();
  lock.unlock();
  complete(asio::error::operation_aborted);
  return started;
}

bool rewatch_lifecycle::closed() const {
  std::lock_guard lock{m_};
  return closed_;
}

void rewatch_lifecycle::complete(std::error_code ec) {
  std::unique_lock lock{m_};
  auto waiters = std::move(waiters_);
  waiters_.clear();
  lock.unlock();
  for (auto& w : waiters) w(ec);
}

}  // namespace zkpp::recipes::detail
