#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zkpp/detail/jute/field.hpp"

namespace zkpp {

namespace jute = detail::jute;

// An authentication identity: `world:anyone`, `digest:user:HASH`, `ip:10.0.0.0/8`, `auth:`.
struct id {
  std::string scheme;
  std::string id;

  static constexpr auto fields() {
    return std::tuple{jute::field{"scheme", &id::scheme}, jute::field{"id", &id::id}};
  }
  friend bool operator==(const struct id&, const struct id&) = default;
};

namespace perms {
inline constexpr std::int32_t read = 1;
inline constexpr std::int32_t write = 2;
inline constexpr std::int32_t create = 4;
inline constexpr std::int32_t remove = 8;
inline constexpr std::int32_t admin = 16;
inline constexpr std::int32_t all = 31;
}  // namespace perms

struct acl {
  std::int32_t perms = 0;
  zkpp::id id;

  static constexpr auto fields() {
    return std::tuple{jute::field{"perms", &acl::perms}, jute::field{"id", &acl::id}};
  }
  friend bool operator==(const acl&, const acl&) = default;
};

using acl_list = std::vector<acl>;

namespace acls {
// OPEN_ACL_UNSAFE: everyone may do everything.
inline acl_list open_unsafe() {
  return {{perms::all, {"world", "anyone"}}};
}
// READ_ACL_UNSAFE: everyone may read.
inline acl_list read_unsafe() {
  return {{perms::read, {"world", "anyone"}}};
}
// CREATOR_ALL_ACL: all rights for the identities the session authenticated with.
inline acl_list creator_all() {
  return {{perms::all, {"auth", ""}}};
}
}  // namespace acls

// The metadata ZooKeeper keeps per znode (68 bytes on the wire).
struct stat {
  std::int64_t czxid = 0;
  std::int64_t mzxid = 0;
  std::int64_t ctime = 0;
  std::int64_t mtime = 0;
  std::int32_t version = 0;
  std::int32_t cversion = 0;
  std::int32_t aversion = 0;
  std::int64_t ephemeral_owner = 0;
  std::int32_t data_length = 0;
  std::int32_t num_children = 0;
  std::int64_t pzxid = 0;

  static constexpr auto fields() {
    return std::tuple{jute::field{"czxid", &stat::czxid},
                      jute::field{"mzxid", &stat::mzxid},
                      jute::field{"ctime", &stat::ctime},
                      jute::field{"mtime", &stat::mtime},
                      jute::field{"version", &stat::version},
                      jute::field{"cversion", &stat::cversion},
                      jute::field{"aversion", &stat::aversion},
                      jute::field{"ephemeralOwner", &stat::ephemeral_owner},
                      jute::field{"dataLength", &stat::data_length},
                      jute::field{"numChildren", &stat::num_children},
                      jute::field{"pzxid", &stat::pzxid}};
  }
  friend bool operator==(const stat&, const stat&) = default;
};

// CreateMode, with ZooKeeper's flag values.
enum class create_mode : std::int32_t {
  persistent = 0,
  ephemeral = 1,
  persistent_sequential = 2,
  ephemeral_sequential = 3,
  container = 4,
  persistent_with_ttl = 5,
  persistent_sequential_with_ttl = 6,
};

constexpr bool is_ephemeral(create_mode m) {
  return m == create_mode::ephemeral || m == create_mode::ephemeral_sequential;
}
constexpr bool is_sequential(create_mode m) {
  return m == create_mode::persistent_sequential || m == create_mode::ephemeral_sequential ||
         m == create_mode::persistent_sequential_with_ttl;
}
constexpr bool is_ttl(create_mode m) {
  return m == create_mode::persistent_with_ttl || m == create_mode::persistent_sequential_with_ttl;
}

// WatcherEvent.type
enum class event_type : std::int32_t {
  none = -1,
  node_created = 1,
  node_deleted = 2,
  node_data_changed = 3,
  node_children_changed = 4,
  data_watch_removed = 5,
  child_watch_removed = 6,
  persistent_watch_removed = 7,
};

// WatcherEvent.state (KeeperState)
enum class keeper_state : std::int32_t {
  disconnected = 0,
  sync_connected = 3,
  auth_failed = 4,
  connected_read_only = 5,
  expired = -112,
  closed = 7,
};

struct watch_event {
  event_type type = event_type::none;
  keeper_state state = keeper_state::sync_connected;
  std::string path;
  friend bool operator==(const watch_event&, const watch_event&) = default;
};

// AddWatchMode
enum class add_watch_mode : std::int32_t { persistent = 0, persistent_recursive = 1 };

// WatcherType, for remove_watches / check_watches.
enum class watcher_type : std::int32_t { children = 1, data = 2, any = 3 };

// What the client tells state listeners.
enum class session_state {
  connecting,
  connected,
  suspended,
  reconnected,
  lost,
  read_only,
  auth_failed,
  closed,
};

const char* to_string(session_state s) noexcept;
const char* to_string(event_type t) noexcept;

// One authenticated identity of the session as whoAmI reports it.
struct client_info {
  std::string auth_scheme;
  std::string user;

  static constexpr auto fields() {
    return std::tuple{jute::field{"authScheme", &client_info::auth_scheme},
                      jute::field{"user", &client_info::user}};
  }
  friend bool operator==(const client_info&, const client_info&) = default;
};

}  // namespace zkpp
