#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "zkpp/types.hpp"

namespace zkpp::detail::server {

// Markers ZooKeeper stores in ephemeralOwner for nodes that are not session
// ephemerals (PROTOCOL.md §8 item 3).
inline constexpr std::int64_t container_owner = std::int64_t{-0x7fffffffffffffff} - 1;
inline constexpr std::uint64_t ttl_owner_tag = 0xff00000000000000ULL;
inline constexpr std::int64_t max_ttl_ms = 0xffffffffffLL;

// ephemeralOwner encodings for the create modes that are not owned by a session.
std::int64_t ttl_owner(std::int64_t ttl_ms);

struct node {
  std::optional<std::string> data;
  // Shared by every node with the same list (data_tree::intern), as
  // ZooKeeper's ACL cache does: most trees use a handful of lists.
  std::shared_ptr<const acl_list> acl;
  std::int64_t czxid = 0;
  std::int64_t mzxid = 0;
  std::int64_t ctime = 0;
  std::int64_t mtime = 0;
  std::int32_t version = 0;
  // ZooKeeper's stored cversion counts child creations only; it is both the
  // sequential suffix and, as 2c - numChildren, the visible cversion.
  std::int32_t child_creations = 0;
  std::int32_t aversion = 0;
  std::int64_t owner = 0;  // raw ephemeralOwner: session, container or TTL marker
  std::int64_t pzxid = 0;
  std::set<std::string> children;

  bool is_container() const { return owner == container_owner; }
  bool is_ttl() const;
  std::int64_t ttl_ms() const;
  // The owning session of a real ephemeral node, else 0.
  std::int64_t ephemeral_session() const;
  zkpp::stat stat() const;
};

// "/a/b" -> "/a"; "/a" -> "/"; "/" -> "" (ZooKeeper keys the root both ways).
std::string_view parent_path(std::string_view path);
std::string_view node_name(std::string_view path);

// The znode hierarchy. Mutations trust their preconditions (the request
// handler checks them in ZooKeeper's order); each one can be undone, which
// is how a failed multi leaves no trace.
class data_tree {
 public:
  data_tree();

  const node* find(std::string_view path) const;

  void create(const std::string& path, std::optional<std::string> data, acl_list acl,
              std::int64_t owner, std::int64_t zxid, std::int64_t time);
  void remove(const std::string& path, std::int64_t zxid);
  void set_data(const std::string& path, std::optional<std::string> data, std::int64_t zxid,
                std::int64_t time);
  void set_acl(const std::string& path, acl_list acl);

  // Starts recording the prior state of every node a mutation touches.
  void begin_undo();
  // Restores what was recorded since begin_undo() and stops recording.
  void rollback();
  // Forgets what was recorded and stops recording.
  void commit();

  std::size_t node_count() const { return nodes_.size(); }
  std::size_t approximate_data_size() const;
  // Number of descendants (whole subtree, not counting the node).
  std::int32_t descendant_count(std::string_view path) const;
  const std::set<std::string>& ephemerals(std::int64_t session) const;
  const std::map<std::int64_t, std::set<std::string>>& all_ephemerals() const {
    return ephemerals_;
  }
  std::size_t ephemeral_count() const;
  // Empty containers that once had children and TTL nodes idle for longer
  // than their TTL: what ZooKeeper's ContainerManager deletes.
  std::vector<std::string> reap_candidates(std::int64_t now_wall_ms) const;

 private:
  node& at(const std::string& path);
  void save(const std::string& path);
  void put(const std::string& path, node n);
  void erase(const std::string& path);
  void index(const std::string& path, const node& n);
  void unindex(const std::string& path, const node& n);

  // The one shared copy of `acl` among the lists in use.
  std::shared_ptr<const acl_list> intern(acl_list acl);

  std::map<std::string, node, std::less<>> nodes_;
  // Interned lists by hash; entries of lists no node uses any more are swept
  // whenever the table has doubled since the last sweep.
  std::unordered_multimap<std::size_t, std::weak_ptr<const acl_list>> acls_;
  std::size_t acls_swept_size_ = 0;
  std::map<std::int64_t, std::set<std::string>> ephemerals_;
  std::set<std::string> containers_;
  std::set<std::string> ttls_;
  bool recording_ = false;
  std::vector<std::pair<std::string, std::optional<node>>> undo_;
};

}  // namespace zkpp::detail::server
