#include "zkpp/recipes/distributed_queue.hpp"

#include <asio/error.hpp>
#include <asio/steady_timer.hpp>

#include <algorithm>
#include <deque>
#include <mutex>
#include <set>
#include <vector>

#include "zkpp/recipes/detail/blocking.hpp"
#include "zkpp/recipes/detail/bounded_wait.hpp"
#include "zkpp/recipes/detail/node_io.hpp"
#include "zkpp/recipes/detail/node_names.hpp"
#include "zkpp/recipes/detail/rewatch.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace detail {
namespace {

constexpr std::string_view item_prefix = "queue-";

struct queue_item {
  std::string name;
  std::string data;
};

using attempt_done = std::function<void(std::error_code, std::optional<queue_item>)>;

// Plain mode: deletes the item read at `version`. After a lost reply the
// item is looked at again: still there at that version, the delete is
// repeated; gone, it counts as taken by someone else (see the class comment).
void remove_read_item(client& zk, std::string path, queue_item item, std::int32_t version,
                      int attempt, attempt_done done) {
  zk.async_remove(path, version, [&zk, path, item, version, attempt, done](std::error_code ec) {
    if (!ec) return done({}, item);
    if (ec == error::no_node || ec == error::bad_version) return done({}, std::nullopt);
    if (!retryable(ec)) return done(ec, std::nullopt);
    retry_later(zk, attempt, [&zk, path, item, version, attempt, done] {
      read_node(zk, path,
                [&zk, path, item, version, attempt, done](std::error_code ec,
                                                          std::optional<data_result> r) {
                  if (ec) return done(ec, std::nullopt);
                  if (!r || r->stat.version != version) return done({}, std::nullopt);
                  remove_read_item(zk, path, item, version, attempt + 1, done);
                });
    });
  });
}

}  // namespace

struct claim_state {
  client& zk;
  std::weak_ptr<const void> alive;
  std::string item_path, marker_path, name, data;
  std::atomic<bool> settled{false};
};

namespace {

// After a lost or failed transaction of `complete`: the marker and the item
// tell what happened.
void settle_claim(const std::shared_ptr<claim_state>& s, std::function<void(bool retry)> again,
                  completion<std::error_code> done) {
  read_node(s->zk, s->marker_path,
            [s, again, done](std::error_code ec, std::optional<data_result> marker) mutable {
              if (ec) return done(ec);
              const bool ours = marker && marker->stat.ephemeral_owner == s->zk.session_id();
              read_node(s->zk, s->item_path,
                        [s, again, done, ours](std::error_code ec,
                                               std::optional<data_result> item) mutable {
                          if (ec) return done(ec);
                          if (ours && item) return again(true);
                          if (ours) guaranteed_delete(s->zk, s->marker_path);
                          // Consumed (by us, or by another after our claim was lost), or lost.
                          done(item ? std::error_code{error::session_expired} : std::error_code{});
                        });
            });
}

void complete_claim(const std::shared_ptr<claim_state>& s, int attempt,
                    completion<std::error_code> done) {
  s->zk.async_multi({op::remove{s->item_path, -1}, op::remove{s->marker_path, -1}},
                    [s, attempt, done](std::error_code ec, const multi_result&) mutable {
                      if (!ec) return done({});
                      if (!retryable(ec) && ec != error::no_node) return done(ec);
                      retry_later(s->zk, ec == error::no_node ? 0 : attempt, [s, attempt, done] {
                        settle_claim(
                            s, [s, attempt, done](bool) { complete_claim(s, attempt + 1, done); },
                            done);
                      });
                    });
}

}  // namespace

// Serves the queue object's pending takes from one rewatch loop: one listing
// at a time, handing items to the takers in the order they came. Guarded by
// `m`, which is never held while calling the client or a completion.
class queue_core : public std::enable_shared_from_this<queue_core> {
 public:
  struct taker {
    bool claim = false;
    attempt_done done;  // at most once
    bool busy = false;  // an attempt runs for it: its deadline waits for the outcome
    bool finished = false;
    std::error_code gave_up{};
    std::shared_ptr<asio::steady_timer> timer;
  };

  queue_core(client& zk, std::string dir, std::string lock_dir)
      : zk_(zk), dir_(std::move(dir)), lock_dir_(std::move(lock_dir)) {}

  const std::string& lock_dir() const { return lock_dir_; }

  std::function<void()> add(bool claim, attempt_done done, deadline until) {
    auto t = std::make_shared<taker>();
    t->claim = claim;
    t->done = std::move(done);
    if (until) {
      t->timer = std::make_shared<asio::steady_timer>(zk_.get_executor(), *until);
      t->timer->async_wait([weak = weak_from_this(), t](std::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->give_up(t, error::operation_timeout);
      });
    }
    std::unique_lock lock{m_};
    if (closed_) {
      lock.unlock();
      finish(t, asio::error::operation_aborted, std::nullopt);
      return [] {};
    }
    takers_.push_back(t);
    const bool start = !loop_;
    if (start)
      loop_ = rewatch::make(zk_, [weak = weak_from_this()](watcher w, auto looked) {
        if (auto self = weak.lock()) self->look(std::move(w), std::move(looked));
      });
    if (serving_) dirty_ = true;
    auto loop = loop_;
    lock.unlock();
    if (start)
      loop->begin();
    else if (!serving_now())
      loop->poke();
    return [weak = weak_from_this(), weak_t = std::weak_ptr<taker>{t}] {
      auto self = weak.lock();
      auto t = weak_t.lock();
      if (self && t) self->give_up(t, asio::error::operation_aborted);
    };
  }

  void close() {
    std::unique_lock lock{m_};
    closed_ = true;
    if (loop_) loop_->stop();
    lock.unlock();
    fail_all(asio::error::operation_aborted);
  }

  void look(watcher w, std::function<void(std::error_code)> looked) {
    std::unique_lock lock{m_};
    if (serving_ || !has_waiting()) {
      if (serving_) dirty_ = true;
      lock.unlock();
      return looked({});
    }
    serving_ = true;
    const bool claims = std::any_of(takers_.begin(), takers_.end(),
                                    [](const auto& t) { return t->claim && !t->finished; });
    lock.unlock();
    list(dir_, w,
         [self = shared_from_this(), w, looked, claims](std::error_code ec,
                                                        std::vector<std::string> items) {
           if (ec) return self->end_chain(ec, looked);
           auto l = std::make_shared<listing>();
           for (auto& name : order_by_sequence(items))
             if (name.starts_with(item_prefix)) l->items.push_back(std::move(name));
           if (!claims || l->items.empty()) return self->serve(l, 0, looked);
           // Markers going away (a consumer's session ended) free items too.
           self->list(self->lock_dir_, w,
                      [self, l, looked](std::error_code ec, std::vector<std::string> markers) {
                        if (ec) return self->end_chain(ec, looked);
                        l->claimed = {markers.begin(), markers.end()};
                        self->serve(l, 0, looked);
                      });
         });
  }

 private:
  struct listing {
    std::vector<std::string> items;
    std::set<std::string> claimed;
  };

  // The children of `dir` with `w` armed; a missing `dir` is empty (and
  // watched for its creation).
  void list(const std::string& dir, watcher w,
            std::function<void(std::error_code, std::vector<std::string>)> done) {
    zk_.async_get_children(
        dir, w,
        [self = shared_from_this(), dir, w, done](std::error_code ec,
                                                  std::vector<std::string> children) {
          if (ec != error::no_node) return done(ec, std::move(children));
          self->zk_.async_exists(
              dir, w, [self, dir, w, done](std::error_code ec, std::optional<zkpp::stat> st) {
                if (!ec && st) return self->list(dir, w, done);
                done(ec, {});
              });
        });
  }

  void serve(std::shared_ptr<listing> l, std::size_t i,
             std::function<void(std::error_code)> looked) {
    auto t = acquire();
    if (!t) return end_chain({}, looked);
    while (i < l->items.size() && t->claim && l->claimed.contains(l->items[i])) ++i;
    if (i == l->items.size()) {
      release(t);
      return end_chain({}, looked);
    }
    attempt(t->claim, l->items[i],
            [self = shared_from_this(), l, i, t, looked](std::error_code ec,
                                                         std::optional<queue_item> item) {
              if (item) {
                self->finish(t, {}, std::move(item));
                return self->serve(l, i + 1, looked);
              }
              self->release(t);
              if (ec) return self->end_chain(ec, looked);
              self->serve(l, i + 1, looked);
            });
  }

  void attempt(bool claim, const std::string& name, attempt_done done) {
    const auto item_path = dir_ + "/" + name;
    if (!claim)
      return zk_.async_get_data(item_path, [self = shared_from_this(), item_path, name, done](
                                               std::error_code ec, data_result r) {
        if (ec == error::no_node) return done({}, std::nullopt);
        if (ec) return done(ec, std::nullopt);
        remove_read_item(self->zk_, item_path, {name, std::move(r.data)}, r.stat.version, 0, done);
      });
    const auto marker = lock_dir_ + "/" + name;
    create_with_parents(
        zk_, marker, "", create_mode::ephemeral,
        [self = shared_from_this(), item_path, marker, name, done](std::error_code ec) {
          const auto read_item = [self, item_path, marker, name, done] {
            read_node(self->zk_, item_path,
                      [self, marker, name, done](std::error_code ec, std::optional<data_result> r) {
                        if (ec || !r) {
                          guaranteed_delete(self->zk_, marker);
                          return done(ec, std::nullopt);
                        }
                        done({}, queue_item{name, std::move(r->data)});
                      });
          };
          if (!ec) return read_item();
          if (ec != error::node_exists) return done(ec, std::nullopt);
          // Ours when an earlier try whose reply was lost made it.
          self->zk_.async_exists(
              marker, [self, read_item, done](std::error_code ec, std::optional<zkpp::stat> st) {
                if (ec) return done(ec, std::nullopt);
                if (st && st->ephemeral_owner == self->zk_.session_id()) return read_item();
                done({}, std::nullopt);
              });
        });
  }

  bool has_waiting() const {
    return std::any_of(takers_.begin(), takers_.end(), [](const auto& t) { return !t->finished; });
  }

  bool serving_now() {
    std::lock_guard lock{m_};
    return serving_;
  }

  std::shared_ptr<taker> acquire() {
    std::lock_guard lock{m_};
    for (const auto& t : takers_)
      if (!t->busy && !t->finished) {
        t->busy = true;
        return t;
      }
    return nullptr;
  }

  void release(const std::shared_ptr<taker>& t) {
    std::unique_lock lock{m_};
    t->busy = false;
    const auto gave_up = t->gave_up;
    lock.unlock();
    if (gave_up) finish(t, gave_up, std::nullopt);
  }

  void give_up(const std::shared_ptr<taker>& t, std::error_code ec) {
    std::unique_lock lock{m_};
    if (t->busy) {
      t->gave_up = ec;
      return;
    }
    lock.unlock();
    finish(t, ec, std::nullopt);
  }

  void finish(const std::shared_ptr<taker>& t, std::error_code ec, std::optional<queue_item> item) {
    std::unique_lock lock{m_};
    if (t->finished) return;
    t->finished = true;
    std::erase(takers_, t);
    auto done = std::move(t->done);
    auto timer = std::move(t->timer);
    lock.unlock();
    if (timer) timer->cancel();
    done(ec, std::move(item));
  }

  void fail_all(std::error_code ec) {
    std::unique_lock lock{m_};
    std::vector<std::shared_ptr<taker>> idle;
    for (const auto& t : takers_) {
      if (t->busy)
        t->gave_up = ec;
      else
        idle.push_back(t);
    }
    lock.unlock();
    for (const auto& t : idle) finish(t, ec, std::nullopt);
  }

  // The listing is served: a look that came meanwhile was put off, so look again.
  void end_chain(std::error_code ec, const std::function<void(std::error_code)>& looked) {
    std::unique_lock lock{m_};
    serving_ = false;
    const bool again = std::exchange(dirty_, false) && has_waiting() && !closed_;
    auto loop = loop_;
    lock.unlock();
    if (ec && !retryable(ec)) fail_all(ec);
    looked(ec);
    if (again && loop) loop->poke();
  }

  client& zk_;
  const std::string dir_, lock_dir_;
  std::mutex m_;
  bool closed_ = false;
  bool serving_ = false;  // a listing is being served
  bool dirty_ = false;    // a look was put off while serving
  std::deque<std::shared_ptr<taker>> takers_;
  std::shared_ptr<rewatch> loop_;
};

}  // namespace detail

queue_claim::queue_claim(std::shared_ptr<detail::claim_state> state) : state_(std::move(state)) {}

queue_claim::~queue_claim() {
  if (state_ && state_->alive.lock()) release();
}

queue_claim& queue_claim::operator=(queue_claim&& other) noexcept {
  if (this != &other) {
    if (state_ && state_->alive.lock()) release();
    state_ = std::move(other.state_);
  }
  return *this;
}

const std::string& queue_claim::name() const {
  return state_->name;
}

const std::string& queue_claim::data() const {
  return state_->data;
}

asio::any_io_executor queue_claim::executor() const {
  return state_->zk.get_executor();
}

void queue_claim::complete() {
  detail::run_or_throw<>(state_->zk, "zkpp::recipes::queue_claim::complete " + state_->item_path,
                         [this](auto done) { complete(std::move(done)); });
}

void queue_claim::complete(detail::completion<std::error_code> done) {
  if (state_->settled.exchange(true))
    return done(std::make_error_code(std::errc::invalid_argument));
  detail::complete_claim(state_, 0, std::move(done));
}

void queue_claim::release() {
  if (!state_ || state_->settled.exchange(true)) return;
  detail::guaranteed_delete(state_->zk, state_->marker_path);
}

distributed_queue::distributed_queue(client& zk, std::string path, queue_options options)
    : zk_(zk),
      path_(std::move(path)),
      core_(std::make_shared<detail::queue_core>(
          zk, path_, options.lock_path.empty() ? path_ + "-locks" : options.lock_path)) {}

distributed_queue::~distributed_queue() {
  core_->close();
}

std::string distributed_queue::put(const std::string& data) {
  auto [created] =
      detail::run_or_throw<std::string>(zk_, "zkpp::recipes::distributed_queue::put " + path_,
                                        [this, &data](auto done) { put(data, std::move(done)); });
  return created;
}

void distributed_queue::put(const std::string& data,
                            detail::completion<std::error_code, std::string> done) {
  zk_.async_create(path_ + "/" + std::string{detail::item_prefix}, data,
                   {.mode = create_mode::persistent_sequential},
                   [this, data, done](std::error_code ec, std::string created) mutable {
                     if (ec != error::no_node) return done(ec, std::move(created));
                     detail::create_containers(
                         zk_, path_, [this, data, done](std::error_code ec) mutable {
                           if (ec && !detail::retryable(ec) && ec != error::node_exists)
                             return done(ec, {});
                           put(data, std::move(done));
                         });
                   });
}

std::optional<std::string> distributed_queue::take(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  auto [ec, values] =
      detail::run_blocking<std::string>(zk_, "zkpp::recipes::distributed_queue::take " + path_,
                                        [this, until](auto done) { take(std::move(done), until); });
  if (ec == error::operation_timeout) return std::nullopt;
  if (ec) throw std::system_error(ec, "zkpp::recipes::distributed_queue::take " + path_);
  return std::get<0>(std::move(values));
}

std::string distributed_queue::take() {
  auto [data] =
      detail::run_or_throw<std::string>(zk_, "zkpp::recipes::distributed_queue::take " + path_,
                                        [this](auto done) { take(std::move(done), std::nullopt); });
  return data;
}

std::optional<queue_claim> distributed_queue::claim(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  auto [ec, values] = detail::run_blocking<std::shared_ptr<detail::claim_state>>(
      zk_, "zkpp::recipes::distributed_queue::claim " + path_,
      [this, until](auto done) { claim(std::move(done), until); });
  if (ec == error::operation_timeout) return std::nullopt;
  if (ec) throw std::system_error(ec, "zkpp::recipes::distributed_queue::claim " + path_);
  return queue_claim{std::get<0>(std::move(values))};
}

bool distributed_queue::take_with(const std::function<void(const std::string&)>& processor,
                                  std::chrono::milliseconds timeout) {
  auto held = claim(timeout);
  if (!held) return false;
  processor(held->data());  // throwing: the claim's destructor gives the item back
  held->complete();
  return true;
}

std::function<void()> distributed_queue::take(detail::completion<std::error_code, std::string> done,
                                              deadline until) {
  return core_->add(
      false,
      [done](std::error_code ec, std::optional<detail::queue_item> item) mutable {
        done(ec, item ? std::move(item->data) : std::string{});
      },
      until);
}

std::function<void()> distributed_queue::claim(
    detail::completion<std::error_code, std::shared_ptr<detail::claim_state>> done,
    deadline until) {
  return core_->add(
      true,
      // May complete after the queue is gone: holds no pointer to it.
      [&zk = zk_, dir = path_, lock_dir = core_->lock_dir(), done](
          std::error_code ec, std::optional<detail::queue_item> item) mutable {
        if (!item) return done(ec, nullptr);
        auto state = std::make_shared<detail::claim_state>(
            zk, zk.lifetime(), dir + "/" + item->name, lock_dir + "/" + item->name, item->name,
            std::move(item->data));
        done({}, std::move(state));
      },
      until);
}

}  // namespace zkpp::recipes
