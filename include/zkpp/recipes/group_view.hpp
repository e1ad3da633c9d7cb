#pragma once

// A live view of a group's members (the children of the group node, each
// with its payload), e.g. the servers of a cluster under /clusterServers.

#include <asio/async_result.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/watching_handle.hpp"

namespace zkpp::recipes {

struct member_info {
  std::string id{};  // the member node's name
  std::string payload{};
  zkpp::stat stat{};
  friend bool operator==(const member_info&, const member_info&) = default;
};

// Told on the client's strand, in the order the view learns of the changes.
struct group_view_listener {
  std::function<void(const member_info&)> joined{};
  std::function<void(const member_info&)> left{};
  std::function<void(const member_info&)> updated{};  // payload changed
};

namespace detail {
class view_core;
}

// Keeps a children watch on the group node and a data watch on each member,
// re-armed on every event and looked at again after every reconnection (all
// payloads are read again in a new session), so the view converges on the
// group's latest membership; changes in a burst may be told as their net
// effect. A missing group node is an empty group (the view waits for it).
//
// The client must outlive the view. Blocking calls must not be made from
// the client's own callbacks.
//
// start() / async_start() wait for the first complete view (members and
// payloads); close() and add_listener() as in detail::watching_handle.
class group_view : public detail::watching_handle<detail::view_core, group_view_listener> {
 public:
  group_view(client& zk, std::string group_path);

  // The members as the view knows them now, by id.
  std::map<std::string, member_info> members() const;

  const std::string& path() const noexcept { return watched_path(); }
};

}  // namespace zkpp::recipes
