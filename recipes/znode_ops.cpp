#include "zkpp/recipes/detail/znode_ops.hpp"

#include <asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>

#include "zkpp/recipes/detail/node_names.hpp"

namespace zkpp::recipes::detail {

bool retryable(std::error_code ec) noexcept {
  return ec == error::connection_loss || ec == error::operation_timeout;
}

void retry_later(client& zk, int attempt, std::function<void()> fn) {
  thread_local std::minstd_rand jitter{std::random_device{}()};
  const std::int64_t capped = std::min<std::int64_t>(10LL << std::min(attempt, 7), 1000);
  const std::chrono::milliseconds delay{capped / 2 +
                                        static_cast<std::int64_t>(jitter() % (capped / 2 + 1))};
  auto timer = std::make_shared<asio::steady_timer>(zk.get_executor(), delay);
  timer->async_wait([timer, alive = zk.lifetime(), fn = std::move(fn)](std::error_code ec) {
    if (!ec && !alive.expired()) fn();
  });
}

namespace {

void create_containers_from(client& zk, std::string dir, std::size_t from,
                            std::function<void(std::error_code)> done) {
  const auto slash = dir.find('/', from + 1);
  const auto end = slash == std::string::npos ? dir.size() : slash;
  const std::string prefix = dir.substr(0, end);
  zk.async_create(prefix, "", {.mode = create_mode::container},
                  [&zk, dir = std::move(dir), end, done = std::move(done)](
                      std::error_code ec, const std::string&) mutable {
                    if (ec == error::node_exists) ec = {};
                    if (ec || end == dir.size()) return done(ec);
                    create_containers_from(zk, std::move(dir), end, std::move(done));
                  });
}

// One protected creation, with its tries counted.
struct protected_create : std::enable_shared_from_this<protected_create> {
  client& zk;
  std::string dir;
  std::string prefix;
  std::string data;
  std::function<void(std::error_code, created_node)> done;
  create_mode mode;
  int attempt = 0;

  protected_create(client& c, std::string d, std::string p, std::string v,
                   std::function<void(std::error_code, created_node)> f, create_mode m)
      : zk(c),
        dir(std::move(d)),
        prefix(std::move(p)),
        data(std::move(v)),
        done(std::move(f)),
        mode(m) {}

  void later(void (protected_create::*step)()) {
    retry_later(zk, attempt++, [self = shared_from_this(), step] { ((*self).*step)(); });
  }

  void create() {
    zk.async_create2(dir + "/" + prefix, data, {.mode = mode},
                     [self = shared_from_this()](std::error_code ec, create_result r) {
                       if (!ec) return self->done({}, {std::move(r.path), r.stat});
                       if (ec == error::no_node) return self->create_parents();
                       if (retryable(ec)) return self->later(&protected_create::find_ours);
                       self->done(ec, {});
                     });
  }

  void create_parents() {
    create_containers(zk, dir, [self = shared_from_this()](std::error_code ec) {
      if (ec && !retryable(ec) && ec != error::no_node) return self->done(ec, {});
      self->later(&protected_create::create);
    });
  }

  // After a connection loss the create may or may not have happened.
  void find_ours() {
    zk.async_get_children(
        dir, [self = shared_from_this()](std::error_code ec, std::vector<std::string> children) {
          if (retryable(ec)) return self->later(&protected_create::find_ours);
          if (ec == error::no_node) return self->create();
          if (ec) return self->done(ec, {});
          const auto ours = std::find_if(children.begin(), children.end(), [&](const auto& c) {
            return c.starts_with(self->prefix);
          });
          if (ours == children.end()) return self->create();
          self->check_owner(self->dir + "/" + *ours);
        });
  }

  void check_owner(std::string path) {
    zk.async_exists(
        path, [self = shared_from_this(), path](std::error_code ec, std::optional<zkpp::stat> st) {
          if (retryable(ec)) return self->later(&protected_create::find_ours);
          if (ec) return self->done(ec, {});
          if (!st) return self->create();
          if (is_ephemeral(self->mode) && st->ephemeral_owner != self->zk.session_id()) {
            // Left over from an earlier session: not ours to wait with.
            guaranteed_delete(self->zk, path);
            return self->create();
          }
          self->done({}, {path, *st});
        });
  }
};

struct deletion : std::enable_shared_from_this<deletion> {
  client& zk;
  std::string path;
  std::function<void(std::error_code)> done;
  int attempt = 0;

  deletion(client& c, std::string p, std::function<void(std::error_code)> f)
      : zk(c), path(std::move(p)), done(std::move(f)) {}

  void run() {
    zk.async_remove(path, -1, [self = shared_from_this()](std::error_code ec) {
      if (retryable(ec)) return retry_later(self->zk, self->attempt++, [self] { self->run(); });
      if (ec == error::no_node) ec = {};
      if (self->done) self->done(ec);
    });
  }
};

struct position_search : std::enable_shared_from_this<position_search> {
  client& zk;
  std::string dir;
  std::string ours;
  wait_rule rule;
  watcher on_wait_over;
  std::function<void(std::error_code, queue_position)> done;
  int attempt = 0;

  position_search(client& c, std::string d, std::string o, wait_rule r, watcher w,
                  std::function<void(std::error_code, queue_position)> f)
      : zk(c),
        dir(std::move(d)),
        ours(std::move(o)),
        rule(std::move(r)),
        on_wait_over(std::move(w)),
        done(std::move(f)) {}

  void later() {
    retry_later(zk, attempt++, [self = shared_from_this()] { self->run(); });
  }

  void run() {
    zk.async_get_children(
        dir, [self = shared_from_this()](std::error_code ec, std::vector<std::string> children) {
          if (retryable(ec)) return self->later();
          if (ec) return self->done(ec, {});
          queue_position pos{order_by_sequence(children), 0};
          const auto it = std::find(pos.ordered.begin(), pos.ordered.end(), self->ours);
          if (it == pos.ordered.end()) return self->done(error::no_node, {});
          pos.index = static_cast<std::size_t>(it - pos.ordered.begin());
          const auto awaited = self->rule(pos.ordered, pos.index);
          pos.may_go = !awaited;
          if (pos.may_go) return self->done({}, std::move(pos));
          self->watch(std::move(pos), *awaited);
        });
  }

  // getData (not exists) so that a contender already gone leaves no watch behind.
  void watch(queue_position pos, std::size_t awaited) {
    const auto other = dir + "/" + pos.ordered[awaited];
    zk.async_get_data(other, on_wait_over,
                      [self = shared_from_this(), pos = std::move(pos)](
                          std::error_code ec, const data_result&) mutable {
                        if (ec == error::no_node) return self->run();
                        if (retryable(ec)) return self->later();
                        if (ec) return self->done(ec, {});
                        self->done({}, std::move(pos));
                      });
  }
};

}  // namespace

void create_containers(client& zk, std::string dir, std::function<void(std::error_code)> done) {
  create_containers_from(zk, std::move(dir), 0, std::move(done));
}

void create_protected(client& zk, const std::string& dir, const std::string& prefix,
                      const std::string& data,
                      std::function<void(std::error_code, created_node)> done, create_mode mode) {
  std::make_shared<protected_create>(zk, dir, prefix, data, std::move(done), mode)->create();
}

void guaranteed_delete(client& zk, const std::string& path,
                       std::function<void(std::error_code)> done) {
  std::make_shared<deletion>(zk, path, std::move(done))->run();
}

std::optional<std::size_t> first_goes(const std::vector<std::string>&, std::size_t ours) {
  if (ours == 0) return std::nullopt;
  return ours - 1;
}

void find_position(client& zk, const std::string& dir, const std::string& our_name,
                   const wait_rule& rule, watcher on_wait_over,
                   std::function<void(std::error_code, queue_position)> done) {
  std::make_shared<position_search>(zk, dir, our_name, rule, std::move(on_wait_over),
                                    std::move(done))
      ->run();
}

}  // namespace zkpp::recipes::detail
