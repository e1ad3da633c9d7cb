#include "zkpp/recipes/semaphore.hpp"

#include <asio/error.hpp>
#include <asio/steady_timer.hpp>

#include <algorithm>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>

#include "lock_core.hpp"
#include "zkpp/recipes/detail/node_names.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {

lease::lease(lease&& other) noexcept
    : zk_(std::exchange(other.zk_, nullptr)), node_(std::exchange(other.node_, {})) {}

lease& lease::operator=(lease&& other) noexcept {
  if (this != &other) {
    release();
    zk_ = std::exchange(other.zk_, nullptr);
    node_ = std::exchange(other.node_, {});
  }
  return *this;
}

lease::~lease() {
  release();
}

void lease::release() {
  if (zk_ && !node_.empty()) detail::guaranteed_delete(*zk_, std::exchange(node_, {}));
}

namespace detail {

// The acquisitions of one semaphore, shared with the callbacks in flight.
// The front request is the active one; it walks through the steps below
// once per lease it wants. Guarded by `m_`, which is never held while
// calling the client, the internal lock or a handler.
class semaphore_core : public std::enable_shared_from_this<semaphore_core> {
  using clock = std::chrono::steady_clock;

 public:
  semaphore_core(client& zk, const std::string& path, int max_leases, std::string data)
      : zk_(zk),
        leases_dir_(path + "/leases"),
        max_leases_(max_leases),
        data_(std::move(data)),
        lock_(std::make_shared<lock_core>(zk, path + "/locks",
                                          lock_core_options{.node_name = "lock-"})) {}

  void subscribe() {
    lock_->subscribe();
    zk_.on_state([weak = weak_from_this()](session_state s) {
      if (auto self = weak.lock()) self->on_state(s);
    });
  }

  std::uint64_t start(int n, std::optional<clock::time_point> until,
                      completion<std::error_code, std::vector<lease>> done) {
    std::unique_lock lock{m_};
    const auto id = ++next_request_;
    if (n < 1 || n > max_leases_ || shut_) {
      lock.unlock();
      done(shut_ ? std::error_code{asio::error::operation_aborted} : error::bad_arguments, {});
      return id;
    }
    request r{id, n, std::move(done), nullptr, {}, {}};
    if (until) {
      r.timer = std::make_shared<asio::steady_timer>(zk_.get_executor(), *until);
      r.timer->async_wait([weak = weak_from_this(), id](std::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->give_up(id, error::operation_timeout);
      });
    }
    requests_.push_back(std::move(r));
    if (requests_.size() == 1) run_front(lock);
    return id;
  }

  // A request gives up (deadline, cancellation): it ends once its current
  // step does, withdrawing its nodes.
  void give_up(std::uint64_t id, std::error_code ec) {
    std::unique_lock lock{m_};
    const auto it = std::find_if(requests_.begin(), requests_.end(),
                                 [id](const request& r) { return r.id == id; });
    if (it == requests_.end()) return;
    if (it != requests_.begin()) {
      request r = std::move(*it);
      requests_.erase(it);
      lock.unlock();
      return complete(r, ec);
    }
    it->quit = ec;
    switch (step_) {
      case step::locking: {
        const auto waiter = lock_waiter_;
        lock.unlock();
        return lock_->abandon(waiter, ec);  // on_locked ends the request
      }
      case step::waiting:
        return end_front(lock, ec, true);
      default:
        return;  // the step under way ends it
    }
  }

  void shut_down() {
    std::unique_lock lock{m_};
    shut_ = true;
    ++generation_;
    step_ = step::idle;
    const auto node = std::exchange(node_, {});
    auto requests = std::move(requests_);
    requests_.clear();
    lock.unlock();
    lock_->shut_down();
    if (!node.empty()) guaranteed_delete(zk_, node);
    for (auto& r : requests) complete(r, asio::error::operation_aborted);
  }

 private:
  enum class step { idle, locking, creating, waiting };
  struct request {
    std::uint64_t id = 0;
    int wanted = 1;
    completion<std::error_code, std::vector<lease>> done;
    std::shared_ptr<asio::steady_timer> timer;
    std::vector<std::string> got;  // lease nodes this request holds so far
    std::error_code quit{};        // gives up once its current step ends
  };

  // Hands the leases over, or withdraws them when the request failed.
  void complete(request& r, std::error_code ec) {
    if (r.timer) r.timer->cancel();
    std::vector<lease> leases;
    for (auto& node : r.got) {
      if (ec)
        guaranteed_delete(zk_, node);
      else
        leases.push_back(lease{zk_, std::move(node)});
    }
    r.done(ec, std::move(leases));
  }

  // Takes the internal lock for the front request's next lease; unlocks `lock`.
  void run_front(std::unique_lock<std::mutex>& lock) {
    if (requests_.empty() || shut_) {
      step_ = step::idle;
      return;
    }
    if (const auto quit = requests_.front().quit) return end_front(lock, quit, false);
    step_ = step::locking;
    const auto g = ++generation_;
    lock.unlock();
    const auto waiter = lock_->start(
        completion<std::error_code>{
            [self = shared_from_this(), g](std::error_code ec) { self->on_locked(g, ec); },
            zk_.get_executor()},
        std::nullopt, true);
    lock.lock();
    if (g == generation_ && step_ == step::locking) lock_waiter_ = waiter;
    const auto quit =
        g == generation_ && step_ == step::locking ? requests_.front().quit : std::error_code{};
    lock.unlock();
    if (quit) lock_->abandon(waiter, quit);
  }

  void on_locked(std::uint64_t g, std::error_code ec) {
    std::unique_lock lock{m_};
    if (g != generation_ || step_ != step::locking) {
      lock.unlock();
      if (!ec) lock_->unlock();
      return;
    }
    if (ec) return end_front(lock, ec, false);
    if (const auto quit = requests_.front().quit) return end_front(lock, quit, true);
    step_ = step::creating;
    lock.unlock();
    create_protected(zk_, leases_dir_, protected_prefix("lease-"), data_,
                     [self = shared_from_this(), g](std::error_code ec, created_node node) {
                       self->on_created(g, ec, std::move(node.path));
                     });
  }

  void on_created(std::uint64_t g, std::error_code ec, std::string node) {
    std::unique_lock lock{m_};
    if (g != generation_ || step_ != step::creating) {
      lock.unlock();
      if (!ec) guaranteed_delete(zk_, node);  // abandoned meanwhile
      return;
    }
    if (ec) return end_front(lock, ec, true);
    node_ = std::move(node);
    if (const auto quit = requests_.front().quit) return end_front(lock, quit, true);
    step_ = step::waiting;
    lock.unlock();
    look(g);
  }

  // Lists the leases; one getChildren watch at a time serves every look.
  void look(std::uint64_t g) {
    std::unique_lock lock{m_};
    watcher w;
    if (!watch_armed_) {
      watch_armed_ = true;
      w = [weak = weak_from_this()](const watch_event&) {
        if (auto self = weak.lock()) self->on_watch();
      };
    }
    lock.unlock();
    zk_.async_get_children(
        leases_dir_, std::move(w),
        [self = shared_from_this(), g](std::error_code ec, std::vector<std::string> children) {
          self->on_children(g, ec, children);
        });
  }

  void on_watch() {
    std::unique_lock lock{m_};
    watch_armed_ = false;
    if (step_ != step::waiting) return;
    const auto g = generation_;
    lock.unlock();
    look(g);
  }

  void on_children(std::uint64_t g, std::error_code ec, const std::vector<std::string>& children) {
    std::unique_lock lock{m_};
    if (g != generation_ || step_ != step::waiting) return;
    if (ec && !retryable(ec)) watch_armed_ = false;
    if (retryable(ec)) {
      lock.unlock();
      return retry_later(zk_, attempt_++, [weak = weak_from_this(), g] {
        if (auto self = weak.lock()) self->look(g);
      });
    }
    attempt_ = 0;
    if (ec) return end_front(lock, ec, true);
    const auto ours = node_name(node_);
    if (std::find(children.begin(), children.end(), ours) == children.end()) {
      // Our node went (its session expired, or someone deleted it): as
      // Curator, start this lease over, a bounded number of times.
      if (rejoins_ >= max_rejoins) return end_front(lock, error::no_node, true);
      ++rejoins_;
      return next_step(lock, false);
    }
    if (children.size() > static_cast<std::size_t>(max_leases_)) return;  // the watch calls back
    rejoins_ = 0;
    next_step(lock, true);
  }

  // The current lease is settled (got, or to be tried again): release the
  // internal lock and go on with the front request, or complete it.
  void next_step(std::unique_lock<std::mutex>& lock, bool got) {
    auto& front = requests_.front();
    auto node = std::exchange(node_, {});
    if (got) front.got.push_back(node);
    ++generation_;
    step_ = step::idle;
    const bool done = static_cast<int>(front.got.size()) == front.wanted;
    std::optional<request> finished;
    if (done) {
      finished = std::move(front);
      requests_.pop_front();
    }
    lock.unlock();
    if (!got) guaranteed_delete(zk_, node);
    lock_->unlock();
    if (finished) complete(*finished, {});
    lock.lock();
    run_front(lock);
  }

  // The front request ends with `ec`; its node (if any) is withdrawn, the
  // internal lock released if `locked`, and the next request starts.
  void end_front(std::unique_lock<std::mutex>& lock, std::error_code ec, bool locked) {
    request r = std::move(requests_.front());
    requests_.pop_front();
    ++generation_;
    step_ = step::idle;
    rejoins_ = 0;
    const auto node = std::exchange(node_, {});
    lock.unlock();
    if (!node.empty()) guaranteed_delete(zk_, node);
    if (locked) lock_->unlock();
    complete(r, ec);
    lock.lock();
    run_front(lock);
  }

  void on_state(session_state s) {
    std::unique_lock lock{m_};
    // Watches do not outlive their session (a client may start a new one).
    if (s == session_state::lost || s == session_state::closed || s == session_state::connected)
      watch_armed_ = false;
    if (step_ != step::waiting) return;
    // A watch may have been missed around the outage: look again (a gone
    // session shows up there as an error).
    const auto g = generation_;
    lock.unlock();
    if (s == session_state::reconnected || s == session_state::connected ||
        s == session_state::lost || s == session_state::closed)
      look(g);
  }

  client& zk_;
  const std::string leases_dir_;
  const int max_leases_;
  const std::string data_;
  const std::shared_ptr<lock_core> lock_;  // Curator's internal InterProcessMutex
  std::mutex m_;
  std::deque<request> requests_;
  step step_ = step::idle;
  std::uint64_t generation_ = 0;  // of the front request's current step
  std::uint64_t next_request_ = 0;
  std::uint64_t lock_waiter_ = 0;
  std::string node_;  // the lease node the front request waits with
  bool watch_armed_ = false;
  bool shut_ = false;
  int attempt_ = 0;
  static constexpr int max_rejoins = 3;
  int rejoins_ = 0;
};

}  // namespace detail

semaphore::semaphore(client& zk, std::string path, int max_leases, semaphore_options options)
    : zk_(zk),
      path_(std::move(path)),
      max_leases_(max_leases),
      core_(std::make_shared<detail::semaphore_core>(zk, path_, max_leases,
                                                     std::move(options.data))) {
  if (max_leases < 1) throw std::invalid_argument("zkpp::recipes::semaphore: max_leases < 1");
  core_->subscribe();
}

semaphore::~semaphore() {
  core_->shut_down();
}

std::uint64_t semaphore::start(int n, deadline until,
                               detail::completion<std::error_code, std::vector<lease>> done) {
  return core_->start(n, until, std::move(done));
}

std::uint64_t semaphore::start_one(detail::completion<std::error_code, lease> done) {
  return start(1, std::nullopt,
               detail::completion<std::error_code, std::vector<lease>>{
                   [done](std::error_code ec, std::vector<lease> leases) mutable {
                     done(ec, leases.empty() ? lease{} : std::move(leases.front()));
                   },
                   zk_.get_executor()});
}

void semaphore::abandon(const std::weak_ptr<detail::semaphore_core>& core, std::uint64_t id) {
  if (auto c = core.lock()) c->give_up(id, asio::error::operation_aborted);
}

std::vector<lease> semaphore::acquire_blocking(int n, deadline until) {
  const auto what = "zkpp::recipes::semaphore " + path_;
  if (zk_.running_in_this_thread()) throw std::system_error(error::would_block_on_strand, what);
  using outcome = std::pair<std::error_code, std::vector<lease>>;
  // Shared: the completing thread may still be inside set_value when get() returns.
  auto result = std::make_shared<std::promise<outcome>>();
  auto future = result->get_future();
  start(n, until,
        detail::completion<std::error_code, std::vector<lease>>{
            [result](std::error_code ec, std::vector<lease> leases) {
              result->set_value({ec, std::move(leases)});
            },
            zk_.get_executor()});
  auto [ec, leases] = future.get();
  if (ec == error::operation_timeout) return {};
  if (ec) throw std::system_error(ec, what);
  return std::move(leases);
}

std::optional<lease> semaphore::first(std::vector<lease> leases) {
  if (leases.empty()) return std::nullopt;
  return std::move(leases.front());
}

lease semaphore::acquire() {
  return std::move(acquire(1).front());
}

std::vector<lease> semaphore::acquire(int n) {
  return acquire_blocking(n, std::nullopt);
}

}  // namespace zkpp::recipes
