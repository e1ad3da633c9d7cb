#include "zkpp/recipes/double_barrier.hpp"

#include <asio/error.hpp>

#include <algorithm>
#include <mutex>
#include <vector>

#include "zkpp/recipes/detail/blocking.hpp"
#include "zkpp/recipes/detail/node_names.hpp"
#include "zkpp/recipes/detail/rewatch.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {
namespace detail {

namespace {
constexpr std::string_view ready_name = "ready";
}

// Our member node, and the session it was created in (0: none).
//
// A create must never land after a withdraw: the other members would wait
// for our node to go forever. Creates are not retried on their own (a lost
// reply goes back to the step's watch loop), each is tied to the epoch it was
// meant for, and one that lands in a later epoch deletes its node again.
struct barrier_member {
  barrier_member(client& c, std::string dir)
      : zk(c), dir(std::move(dir)), name(random_uuid()), path(this->dir + "/" + name) {}

  client& zk;
  const std::string dir;
  const std::string name;
  const std::string path;
  std::mutex m;
  std::int64_t session = 0;
  std::uint64_t epoch = 0;  // withdraws so far

  // Creates the node unless it exists in this session, then `next(ec)`.
  void ensure(std::function<void(std::error_code)> next) {
    std::unique_lock lock{m};
    if (session != 0 && session == zk.session_id()) {
      lock.unlock();
      return next({});
    }
    const auto e = epoch;
    lock.unlock();
    create(e, std::move(next));
  }

  // Deletes the node (retried through connection loss), then `next(ec)`.
  void withdraw(std::function<void(std::error_code)> next = {}) {
    {
      std::lock_guard lock{m};
      session = 0;
      ++epoch;
    }
    guaranteed_delete(zk, path, std::move(next));
  }

 private:
  bool withdrawn_since(std::uint64_t e) {
    std::lock_guard lock{m};
    return e != epoch;
  }

  void create(std::uint64_t e, std::function<void(std::error_code)> next) {
    if (withdrawn_since(e)) return next(asio::error::operation_aborted);
    zk.async_create(path, "", {.mode = create_mode::ephemeral},
                    [this, e, next = std::move(next)](std::error_code ec, const std::string&) {
                      // Our uuid: an existing node is our own earlier try.
                      if (ec == error::node_exists) ec = {};
                      if (ec == error::no_node)
                        return create_containers(zk, dir, [this, e, next](std::error_code ec) {
                          if (ec && ec != error::no_node) return next(ec);
                          create(e, next);
                        });
                      if (ec) return next(ec);
                      std::unique_lock lock{m};
                      if (e != epoch) {
                        lock.unlock();
                        guaranteed_delete(zk, path);
                        return next(asio::error::operation_aborted);
                      }
                      session = zk.session_id();
                      lock.unlock();
                      next({});
                    });
  }
};

namespace {

// One enter or leave: looks (through rewatch) until it is done.
struct barrier_step : std::enable_shared_from_this<barrier_step> {
  std::shared_ptr<barrier_member> member;
  int member_qty;
  std::shared_ptr<bounded_wait> wait;

  barrier_step(std::shared_ptr<barrier_member> m, int qty)
      : member(std::move(m)), member_qty(qty) {}

  client& zk() { return member->zk; }
  std::string child(const std::string& name) const { return member->dir + "/" + name; }

  void enter(watcher w, std::function<void(std::error_code)> looked) {
    if (wait->finished()) return looked({});
    member->ensure([self = shared_from_this(), w, looked](std::error_code ec) {
      if (ec) return self->failed(ec, looked);
      self->zk().async_exists(self->child(std::string{ready_name}), w,
                              [self, looked](std::error_code ec, std::optional<zkpp::stat> st) {
                                if (ec) return self->failed(ec, looked);
                                if (st) {
                                  self->wait->finish({});
                                  return looked({});
                                }
                                self->count(looked);
                              });
    });
  }

  // The watch on `ready` is armed: count the members that arrived.
  void count(std::function<void(std::error_code)> looked) {
    zk().async_get_children(
        member->dir,
        [self = shared_from_this(), looked](std::error_code ec, std::vector<std::string> children) {
          if (ec) return self->failed(ec, looked);
          std::erase(children, ready_name);
          if (static_cast<int>(children.size()) < self->member_qty) return looked({});
          // Not retried on its own: a late retry could bring `ready` back
          // after the members left, and open the next round at once.
          self->zk().async_create(self->child(std::string{ready_name}), "",
                                  {.mode = create_mode::persistent},
                                  [self, looked](std::error_code ec, const std::string&) {
                                    if (ec == error::node_exists) ec = {};
                                    if (ec) return self->failed(ec, looked);
                                    self->wait->finish({});
                                    looked({});
                                  });
        });
  }

  void leave(watcher w, std::function<void(std::error_code)> looked) {
    if (wait->finished()) return looked({});
    zk().async_get_children(
        member->dir, [self = shared_from_this(), w, looked](std::error_code ec,
                                                            std::vector<std::string> children) {
          if (ec == error::no_node) ec = {};
          if (ec) return self->failed(ec, looked);
          std::erase(children, ready_name);
          std::sort(children.begin(), children.end());
          if (children.empty()) return self->left(looked);
          const bool ours_present =
              std::find(children.begin(), children.end(), self->member->name) != children.end();
          if (children.size() == 1 && ours_present)
            return self->member->withdraw([self, looked](std::error_code ec) {
              if (ec) return self->failed(ec, looked);
              self->left(looked);
            });
          // The lowest goes last: it waits for the highest; everyone else goes
          // now and waits for the lowest.
          if (children.front() == self->member->name)
            return self->await_gone(children.back(), w, looked);
          const auto lowest = children.front();
          if (!ours_present) return self->await_gone(lowest, w, looked);
          self->member->withdraw([self, lowest, w, looked](std::error_code ec) {
            if (ec) return self->failed(ec, looked);
            self->await_gone(lowest, w, looked);
          });
        });
  }

  void await_gone(const std::string& name, watcher w, std::function<void(std::error_code)> looked) {
    zk().async_exists(
        child(name), w,
        [self = shared_from_this(), w, looked](std::error_code ec, std::optional<zkpp::stat> st) {
          if (ec) return self->failed(ec, looked);
          if (!st) return self->leave(w, looked);
          looked({});
        });
  }

  void left(std::function<void(std::error_code)> looked) {
    guaranteed_delete(zk(), child(std::string{ready_name}),
                      [self = shared_from_this(), looked](std::error_code ec) {
                        self->wait->finish(ec);
                        looked({});
                      });
  }

  // Retryable errors go back to the watch loop; others end the step.
  void failed(std::error_code ec, const std::function<void(std::error_code)>& looked) {
    if (!retryable(ec)) wait->finish(ec);
    looked(ec);
  }
};

}  // namespace
}  // namespace detail

double_barrier::double_barrier(client& zk, std::string path, int member_qty)
    : zk_(zk),
      path_(std::move(path)),
      member_qty_(member_qty),
      member_(std::make_shared<detail::barrier_member>(zk, path_)) {}

std::string double_barrier::member_path() const {
  return member_->path;
}

std::weak_ptr<detail::bounded_wait> double_barrier::start(detail::completion<std::error_code> done,
                                                          detail::deadline until, bool entering) {
  auto step = std::make_shared<detail::barrier_step>(member_, member_qty_);
  step->wait = detail::bounded_wait::make(zk_, std::move(done), until,
                                          [member = member_] { member->withdraw(); });
  auto wait = step->wait;
  auto loop = detail::rewatch::start(
      zk_, [step, entering](watcher w, std::function<void(std::error_code)> looked) {
        if (entering)
          step->enter(std::move(w), std::move(looked));
        else
          step->leave(std::move(w), std::move(looked));
      });
  wait->hold(std::move(loop));
  return wait;
}

bool double_barrier::run_blocking(detail::deadline until, bool entering) {
  const auto what =
      std::string{"zkpp::recipes::double_barrier::"} + (entering ? "enter " : "leave ") + path_;
  auto [ec, _] = detail::run_blocking<>(
      zk_, what, [&](auto done) { start(std::move(done), until, entering); });
  if (ec == error::operation_timeout) return false;
  if (ec) throw std::system_error(ec, what);
  return true;
}

void double_barrier::enter() {
  run_blocking(std::nullopt, true);
}

bool double_barrier::enter(std::chrono::milliseconds timeout) {
  return run_blocking(std::chrono::steady_clock::now() + timeout, true);
}

void double_barrier::leave() {
  run_blocking(std::nullopt, false);
}

bool double_barrier::leave(std::chrono::milliseconds timeout) {
  return run_blocking(std::chrono::steady_clock::now() + timeout, false);
}

}  // namespace zkpp::recipes
