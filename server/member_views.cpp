#include "zkpp/detail/server/member_views.hpp"

#include <stdexcept>

namespace zkpp::detail::server {

member_views::member_views(std::size_t members) : members_(members) {
  if (members == 0) throw std::invalid_argument("an ensemble needs at least one member");
}

void member_views::lag(std::size_t m, const data_tree& live, std::int64_t zxid) {
  auto& member = members_.at(m);
  if (member.frozen) return;
  member.frozen.emplace(live.clone());
  member.frozen_zxid = zxid;
}

std::vector<std::pair<connection_id, std::string>> member_views::catch_up(std::size_t m) {
  auto& member = members_.at(m);
  member.frozen.reset();
  return std::exchange(member.held, {});
}

void member_views::hold(std::size_t m, connection_id to, std::string frame) {
  members_.at(m).held.emplace_back(to, std::move(frame));
}

const data_tree& member_views::tree(std::size_t m, const data_tree& live) const {
  const auto& member = members_.at(m);
  return member.frozen ? *member.frozen : live;
}

std::int64_t member_views::zxid(std::size_t m, std::int64_t live) const {
  const auto& member = members_.at(m);
  return member.frozen ? member.frozen_zxid : live;
}

}  // namespace zkpp::detail::server
