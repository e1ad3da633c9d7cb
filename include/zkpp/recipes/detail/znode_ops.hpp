#pragma once

// Asynchronous building blocks the lock and election recipes share; every
// one of them works only through the public client API and carries on
// through connection loss (with a bounded, jittered backoff) until the
// session is over.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "zkpp/client.hpp"

namespace zkpp::recipes::detail {

// connection_loss and operation_timeout: the same request may succeed once
// the client has reconnected.
bool retryable(std::error_code ec) noexcept;

// Calls `fn` on the client's executor after the backoff for try `attempt`
// (0, 1, ...: 10 ms doubling up to 1 s, with jitter).
void retry_later(client& zk, int attempt, std::function<void()> fn);

// Creates every missing ancestor of `dir` (and `dir` itself) as a container,
// from the top down, as Curator's creatingParentContainersIfNeeded does.
void create_containers(client& zk, std::string dir, std::function<void(std::error_code)> done);

struct created_node {
  std::string path{};
  zkpp::stat stat{};
};

// Creates the sequential node `<dir>/<prefix><seq>` (ephemeral unless `mode`
// says otherwise), creating the missing ancestors of `dir` as containers.
// "Protected": after a connection_loss it looks for a child of `dir`
// starting with `prefix` before creating again, so that no second node is
// made; an ephemeral node found that belongs to an earlier session is
// deleted and a new one created.
void create_protected(client& zk, const std::string& dir, const std::string& prefix,
                      const std::string& data,
                      std::function<void(std::error_code, created_node)> done,
                      create_mode mode = create_mode::ephemeral_sequential);

// Deletes `path`, retrying through connection loss until it is gone or the
// session is over (its ephemerals go with it). `done` may be empty.
void guaranteed_delete(client& zk, const std::string& path,
                       std::function<void(std::error_code)> done = {});

// Where a contender stands among the children of its directory.
struct queue_position {
  std::vector<std::string> ordered{};  // contender names, by sequence
  std::size_t index = 0;               // ours in `ordered`
  bool may_go = false;                 // the wait rule lets us go ahead
};

// Whether the contender at `ours` in `ordered` may go ahead (nullopt), or
// else the index of the one contender it waits for (Curator's
// LockInternalsDriver::getsTheLock).
using wait_rule = std::function<std::optional<std::size_t>(const std::vector<std::string>& ordered,
                                                           std::size_t ours)>;

// The standard rule: the first goes, every other waits for its predecessor.
std::optional<std::size_t> first_goes(const std::vector<std::string>& ordered, std::size_t ours);

// Lists the contenders of `dir` and finds `our_name` among them (no_node when
// it is gone). Unless `rule` lets ours go, arms a getData watch on the one
// contender it names (no herd effect): `on_wait_over` fires once when that
// one changes or goes.
void find_position(client& zk, const std::string& dir, const std::string& our_name,
                   const wait_rule& rule, watcher on_wait_over,
                   std::function<void(std::error_code, queue_position)> done);

// find_position for a recipe's attempt `g`: the watch calls `owner->check(g)`
// again (holding the owner only weakly) and the answer goes to
// `owner->on_position(g, ec, position)`.
template <class Owner>
void track_position(client& zk, const std::string& dir, const std::string& our_name,
                    const std::shared_ptr<Owner>& owner, std::uint64_t g,
                    const wait_rule& rule = first_goes) {
  find_position(
      zk, dir, our_name, rule,
      [weak = std::weak_ptr<Owner>{owner}, g](const watch_event&) {
        if (auto self = weak.lock()) self->check(g);
      },
      [owner, g](std::error_code ec, queue_position pos) { owner->on_position(g, ec, pos); });
}

}  // namespace zkpp::recipes::detail
