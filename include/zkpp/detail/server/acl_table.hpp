#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "zkpp/types.hpp"

namespace zkpp::detail::server {

// The ACL lists in use, each held once and named by a small id, as
// ZooKeeper's ACL cache does: most trees use a handful of lists. Counts its
// holders and forgets a list when the last one releases it.
class acl_table {
 public:
  using handle = std::uint32_t;

  // The id of `acl`, holding it once more.
  handle intern(const acl_list& acl);
  void retain(handle i) { ++entries_[i].holders; }
  void release(handle i);
  // Stays at its address until released by its last holder.
  const acl_list& get(handle i) const { return entries_[i].acl; }

 private:
  struct entry {
    acl_list acl;
    std::size_t hash = 0;
    std::uint32_t holders = 0;
  };
  static std::size_t hash(const acl_list& acl);

  std::deque<entry> entries_;
  std::vector<handle> unused_;
  std::unordered_multimap<std::size_t, handle> by_hash_;
};

}  // namespace zkpp::detail::server
