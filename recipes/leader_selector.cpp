#include "zkpp/recipes/leader_selector.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>

#include <condition_variable>
#include <mutex>

#include "zkpp/recipes/detail/leadership_state.hpp"
#include "zkpp/recipes/detail/participants.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"
#include "zkpp/recipes/mutex.hpp"

namespace zkpp::recipes {
namespace detail {

// The state of one selector, shared with the callbacks in flight and with
// the thread that runs the leader callback. Guarded by `m`, which is never
// held while calling the client, the lock or a callback; `cancel_m` orders
// the lock's cancellation slot between queueing and close().
class selector_core : public std::enable_shared_from_this<selector_core> {
 public:
  selector_core(client& zk, const std::string& path, const std::string& id,
                leader_callback callback, leader_selector_options options)
      : zk_(zk),
        lock_(zk, path, {.revoke = options.revoke, .data = id}),
        callback_(std::move(callback)),
        auto_requeue_(options.auto_requeue),
        on_callback_error_(std::move(options.on_callback_error)) {}

  void subscribe() {
    lock_.on_revoked([weak = weak_from_this()](session_state) {
      if (auto self = weak.lock()) self->on_revoked();
    });
  }

  bool start() {
    {
      std::lock_guard lock{m_};
      if (started_ || closed_) return false;
      started_ = true;
    }
    requeue();
    return true;
  }

  bool requeue() {
    {
      std::lock_guard lock{m_};
      if (!started_ || closed_ || queued_) return false;
      queued_ = true;
    }
    std::lock_guard cancel{cancel_m_};
    lock_.async_lock(
        asio::bind_cancellation_slot(cancel_.slot(), [weak = weak_from_this()](std::error_code ec) {
          if (auto self = weak.lock()) self->on_acquired(ec);
        }));
    return true;
  }

  void close() {
    std::shared_ptr<leadership_state> turn;
    {
      std::lock_guard lock{m_};
      if (closed_) return;
      closed_ = true;
      turn = current_;
    }
    cv_.notify_all();
    if (turn) turn->lose();
    std::lock_guard cancel{cancel_m_};
    cancel_.emit(asio::cancellation_type::terminal);
  }

  bool leader() const {
    std::lock_guard lock{m_};
    return current_ && current_->valid();
  }

  // The selector's thread: runs the callback for each turn until closed.
  void run() {
    for (;;) {
      std::shared_ptr<leadership_state> turn;
      {
        std::unique_lock lock{m_};
        cv_.wait(lock, [&] { return closed_ || pending_; });
        if (!pending_) return;
        turn = std::exchange(pending_, nullptr);
      }
      if (turn->valid()) {
        leadership l{turn, zk_.get_executor()};
        try {
          callback_(l);
        } catch (...) {
          // Ends the turn like a return, as Curator does with a throwing takeLeadership.
          if (on_callback_error_) on_callback_error_(std::current_exception());
        }
      }
      turn->finish();
      lock_.unlock();  // a no-op when the lock was revoked
      bool again = false;
      {
        std::lock_guard lock{m_};
        current_.reset();
        queued_ = false;
        again = auto_requeue_ && !closed_;
      }
      if (again) requeue();
    }
  }

 private:
  void on_acquired(std::error_code ec) {
    std::unique_lock lock{m_};
    if (ec) {
      queued_ = false;
      const bool retry = auto_requeue_ && !closed_ && ec != asio::error::operation_aborted;
      const int attempt = failures_++;
      lock.unlock();
      // The session is over; a client that starts a new one lets a later try succeed.
      if (retry)
        retry_later(zk_, attempt, [weak = weak_from_this()] {
          if (auto self = weak.lock()) self->requeue();
        });
      return;
    }
    if (closed_) {
      lock.unlock();
      lock_.unlock();
      return;
    }
    failures_ = 0;
    auto turn = std::make_shared<leadership_state>();
    current_ = turn;
    pending_ = turn;
    lock.unlock();
    cv_.notify_all();
    // Revoked before this turn was recorded: on_revoked found nothing to end.
    if (!lock_.is_held()) turn->lose();
  }

  void on_revoked() {
    // A late notice while a later turn holds the lock again is not about that turn.
    if (lock_.is_held()) return;
    std::shared_ptr<leadership_state> turn;
    {
      std::lock_guard lock{m_};
      turn = current_;
    }
    if (turn) turn->lose();
  }

  client& zk_;
  mutex lock_;
  const leader_callback callback_;
  const bool auto_requeue_;
  const std::function<void(std::exception_ptr)> on_callback_error_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  bool started_ = false;
  bool closed_ = false;
  bool queued_ = false;
  int failures_ = 0;
  std::shared_ptr<leadership_state> current_;  // from acquisition until the callback returns
  std::shared_ptr<leadership_state> pending_;  // acquired, not yet taken by run()
  std::mutex cancel_m_;
  asio::cancellation_signal cancel_;
};

}  // namespace detail

leader_selector::leader_selector(client& zk, std::string path, std::string id,
                                 leader_callback callback, leader_selector_options options)
    : zk_(zk),
      path_(std::move(path)),
      id_(std::move(id)),
      core_(std::make_shared<detail::selector_core>(zk, path_, id_, std::move(callback), options)) {
  core_->subscribe();
}

leader_selector::~leader_selector() {
  core_->close();
  if (!worker_.joinable()) return;
  // Destroyed from its own callback: the thread finishes on its own (it holds the core).
  if (worker_.get_id() == std::this_thread::get_id())
    worker_.detach();
  else
    worker_.join();
}

void leader_selector::start() {
  if (!core_->start()) return;
  worker_ = std::thread{[core = core_] { core->run(); }};
}

void leader_selector::close() {
  core_->close();
}

bool leader_selector::requeue() {
  return core_->requeue();
}

bool leader_selector::has_leadership() const {
  return core_->leader();
}

participants_view leader_selector::participants() const {
  return detail::read_participants(zk_, path_, "zkpp::recipes::leader_selector");
}

}  // namespace zkpp::recipes
