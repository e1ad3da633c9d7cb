#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "zkpp/detail/server/connection_info.hpp"
#include "zkpp/detail/server/data_tree.hpp"

namespace zkpp::detail::server {

// The members of an in-process ensemble (server_options::members) share one
// request_handler: one history, one session table. What differs is how much
// of the history a member has applied. A lagging member serves reads from a
// frozen copy of the tree, as of the zxid it stopped at, and holds back the
// notifications for its clients until it catches up.
class member_views {
 public:
  explicit member_views(std::size_t members);

  std::size_t size() const { return members_.size(); }
  bool lagging(std::size_t m) const { return members_.at(m).frozen.has_value(); }

  // Freezes member `m` at `live` / `zxid`; a member already lagging stays
  // where it is.
  void lag(std::size_t m, const data_tree& live, std::int64_t zxid);
  // Ends the lag of member `m` and returns what it held, oldest first.
  std::vector<std::pair<connection_id, std::string>> catch_up(std::size_t m);
  // Keeps a notification for a client of lagging member `m`.
  void hold(std::size_t m, connection_id to, std::string frame);

  // What member `m` has applied.
  const data_tree& tree(std::size_t m, const data_tree& live) const;
  std::int64_t zxid(std::size_t m, std::int64_t live) const;

 private:
  struct member {
    std::optional<data_tree> frozen;
    std::int64_t frozen_zxid = 0;
    std::vector<std::pair<connection_id, std::string>> held;
  };
  std::vector<member> members_;
};

}  // namespace zkpp::detail::server
