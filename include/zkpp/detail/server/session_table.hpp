#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace zkpp::detail::server {

struct session {
  std::int64_t id = 0;
  std::string password;
  std::int32_t timeout_ms = 0;
  std::int64_t expires_at = 0;  // a tick boundary, steady-clock ms
};

// Live sessions and their expiry, bucketed by tick like ZooKeeper's
// ExpiryQueue: a session touched at `now` expires at the first tick boundary
// after now + timeout, so expiry happens between timeout and timeout + tick.
class session_table {
 public:
  session_table(std::int64_t tick_ms, std::uint64_t secret, std::int64_t wall_now_ms);

  session& create(std::int32_t timeout_ms, std::int64_t now);
  // A session that lived before a restart, with its own id and password; its
  // timeout counts from `now`. Later ids do not collide with it.
  void restore(std::int64_t id, std::string password, std::int32_t timeout_ms, std::int64_t now);
  session* find(std::int64_t id);
  const std::map<std::int64_t, session>& all() const { return sessions_; }
  // The password ZooKeeper would issue for `id` (derived, so it can be
  // checked even for sessions that are gone).
  std::string password_for(std::int64_t id) const;
  void touch(std::int64_t id, std::int32_t timeout_ms, std::int64_t now);
  void remove(std::int64_t id);
  // Sessions whose bucket is due at `now`.
  std::vector<std::int64_t> expired(std::int64_t now) const;
  const std::map<std::int64_t, std::set<std::int64_t>>& buckets() const { return buckets_; }
  std::int64_t tick_ms() const { return tick_ms_; }

 private:
  std::int64_t tick_ms_;
  std::uint64_t secret_;
  std::int64_t next_id_;
  std::map<std::int64_t, session> sessions_;
  std::map<std::int64_t, std::set<std::int64_t>> buckets_;
};

}  // namespace zkpp::detail::server
