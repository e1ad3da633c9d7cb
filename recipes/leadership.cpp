#include "zkpp/recipes/leadership.hpp"

#include <asio/dispatch.hpp>
#include <asio/error.hpp>

#include <algorithm>

#include "zkpp/recipes/detail/leadership_state.hpp"

namespace zkpp::recipes {
namespace detail {

bool leadership_state::valid() const {
  std::lock_guard lock{m_};
  return !ended_;
}

bool leadership_state::await_end(std::chrono::milliseconds timeout) const {
  std::unique_lock lock{m_};
  return cv_.wait_for(lock, timeout, [&] { return told_; });
}

void leadership_state::on_lost(std::function<void()> listener) {
  std::unique_lock lock{m_};
  if (!ended_) return listeners_.push_back(std::move(listener));
  lock.unlock();
  listener();
}

asio::cancellation_slot leadership_state::add_signal(const asio::any_io_executor& ex) {
  signal_on s{std::make_shared<asio::cancellation_signal>(), ex};
  std::unique_lock lock{m_};
  signals_.push_back(s);
  const bool ended = ended_;
  lock.unlock();
  if (ended) emit(s);
  return s.signal->slot();
}

std::uint64_t leadership_state::wait(completion<std::error_code> done) {
  std::unique_lock lock{m_};
  const auto id = ++next_wait_;
  if (!ended_) {
    waits_.emplace_back(id, std::move(done));
    return id;
  }
  lock.unlock();
  done({});
  return id;
}

void leadership_state::cancel_wait(std::uint64_t id) {
  std::unique_lock lock{m_};
  const auto it =
      std::find_if(waits_.begin(), waits_.end(), [id](const auto& w) { return w.first == id; });
  if (it == waits_.end()) return;
  auto done = std::move(it->second);
  waits_.erase(it);
  lock.unlock();
  done(asio::error::operation_aborted);
}

void leadership_state::lose() {
  end(true);
}

void leadership_state::finish() {
  end(false);
}

void leadership_state::emit(const signal_on& s) {
  // On the executor the bound operation runs on: Asio's slots are not thread-safe.
  asio::dispatch(s.ex, [signal = s.signal] { signal->emit(asio::cancellation_type::terminal); });
}

void leadership_state::end(bool lost) {
  std::unique_lock lock{m_};
  if (ended_) return;
  ended_ = true;
  auto listeners = std::exchange(listeners_, {});
  auto signals = lost ? signals_ : std::vector<signal_on>{};
  auto waits = std::exchange(waits_, {});
  lock.unlock();
  if (lost) {
    for (const auto& l : listeners) l();
    for (const auto& s : signals) emit(s);
  }
  lock.lock();
  told_ = true;
  lock.unlock();
  cv_.notify_all();
  for (auto& w : waits) w.second({});
}

}  // namespace detail

leadership::leadership(std::shared_ptr<detail::leadership_state> state, asio::any_io_executor ex)
    : state_(std::move(state)), ex_(std::move(ex)) {}

bool leadership::valid() const {
  return state_->valid();
}

bool leadership::await_loss(std::chrono::milliseconds timeout) const {
  return state_->await_end(timeout);
}

void leadership::on_lost(std::function<void()> listener) {
  state_->on_lost(std::move(listener));
}

asio::cancellation_slot leadership::cancellation_slot(const asio::any_io_executor& ex) {
  return state_->add_signal(ex);
}

std::uint64_t leadership::wait(detail::completion<std::error_code> done) {
  return state_->wait(std::move(done));
}

void leadership::cancel_wait(const std::weak_ptr<detail::leadership_state>& state,
                             std::uint64_t id) {
  if (auto s = state.lock()) s->cancel_wait(id);
}

}  // namespace zkpp::recipes
