#include "zkpp/detail/server/acl_table.hpp"

#include <functional>

namespace zkpp::detail::server {

std::size_t acl_table::hash(const acl_list& acl) {
  std::size_t h = acl.size();
  for (const auto& a : acl)
    for (const auto part :
         {std::hash<std::int32_t>{}(a.perms), std::hash<std::string>{}(a.id.scheme),
          std::hash<std::string>{}(a.id.id)})
      h = h * 31 + part;
  return h;
}

acl_table::handle acl_table::intern(const acl_list& acl) {
  const auto h = hash(acl);
  const auto [first, last] = by_hash_.equal_range(h);
  for (auto it = first; it != last; ++it)
    if (entries_[it->second].acl == acl) {
      retain(it->second);
      return it->second;
    }
  handle i;
  if (unused_.empty()) {
    i = static_cast<handle>(entries_.size());
    entries_.emplace_back();
  } else {
    i = unused_.back();
    unused_.pop_back();
  }
  entries_[i] = {acl, h, 1};
  by_hash_.emplace(h, i);
  return i;
}

void acl_table::release(handle i) {
  auto& e = entries_[i];
  if (--e.holders != 0) return;
  const auto [first, last] = by_hash_.equal_range(e.hash);
  for (auto it = first; it != last; ++it)
    if (it->second == i) {
      by_hash_.erase(it);
      break;
    }
  e.acl.clear();
  unused_.push_back(i);
}

}  // namespace zkpp::detail::server
