#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "zkpp/detail/server/acl_table.hpp"
#include "zkpp/detail/server/blob_arena.hpp"
#include "zkpp/detail/server/name_index.hpp"
#include "zkpp/detail/server/node_record.hpp"
#include "zkpp/detail/server/zxid_times.hpp"
#include "zkpp/types.hpp"

namespace zkpp::detail::server {

// Markers ZooKeeper stores in ephemeralOwner for nodes that are not session
// ephemerals (PROTOCOL.md §8 item 3).
inline constexpr std::int64_t container_owner = std::int64_t{-0x7fffffffffffffff} - 1;
inline constexpr std::uint64_t ttl_owner_tag = 0xff00000000000000ULL;
inline constexpr std::int64_t max_ttl_ms = 0xffffffffffLL;

// ephemeralOwner encodings for the create modes that are not owned by a session.
std::int64_t ttl_owner(std::int64_t ttl_ms);
bool is_ttl_owner(std::int64_t owner);

class data_tree;

// One znode as the tree holds it, decoded: valid until the tree next changes.
struct node {
  std::string_view name;
  std::optional<std::string_view> data;
  const acl_list* acl = nullptr;
  std::int64_t czxid = 0;
  std::int64_t mzxid = 0;
  std::int64_t pzxid = 0;
  std::int32_t version = 0;
  std::int32_t child_creations = 0;  // see node_fields
  std::int32_t aversion = 0;
  std::int32_t num_children = 0;
  std::int64_t owner = 0;

  bool is_container() const { return owner == container_owner; }
  bool is_ttl() const { return is_ttl_owner(owner); }
  std::int64_t ttl_ms() const;
  // The owning session of a real ephemeral node, else 0.
  std::int64_t ephemeral_session() const;
  std::int64_t ctime() const;
  std::int64_t mtime() const;
  // The block that `data` points into, shared so that the bytes outlive any
  // later change to the node; null when it is small (copy the data instead).
  std::shared_ptr<const char[]> data_owner() const;
  // The names of the children, sorted.
  std::vector<std::string> children() const;
  zkpp::stat stat() const;

 private:
  friend class data_tree;
  const data_tree* tree_ = nullptr;
  std::uint32_t number_ = 0;
};

// "/a/b" -> "/a"; "/a" -> "/"; "/" -> "" (ZooKeeper keys the root both ways).
std::string_view parent_path(std::string_view path);
std::string_view node_name(std::string_view path);

// The znode hierarchy. Mutations trust their preconditions (the request
// handler checks them in ZooKeeper's order); each one can be undone, which
// is how a failed multi leaves no trace.
//
// Compact for memory: a node is a 24-byte slot (parent and sibling links) and
// a variable-length record in a blob_arena (node_record.hpp); a name_index
// finds a child by (parent, name); ctime and mtime come from zxid_times.
class data_tree {
 public:
  data_tree();

  std::optional<node> find(std::string_view path) const;

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

  std::size_t node_count() const { return count_; }
  std::size_t approximate_data_size() const;
  // Number of descendants (whole subtree, not counting the node).
  std::int32_t descendant_count(std::string_view path) const;
  // Paths of the session's ephemeral nodes, sorted.
  std::vector<std::string> ephemerals(std::int64_t session) const;
  std::map<std::int64_t, std::vector<std::string>> all_ephemerals() const;
  std::size_t ephemeral_count() const;
  // Empty containers that once had children and TTL nodes idle for longer
  // than their TTL: what ZooKeeper's ContainerManager deletes.
  std::vector<std::string> reap_candidates(std::int64_t now_wall_ms) const;

  // Calls f(path, node) for every node, each parent before its children
  // (children in no particular order): what a snapshot writes. The tree must
  // not change meanwhile.
  void for_each_node(const std::function<void(std::string_view path, const node& n)>& f) const;
  // Gives the node at `path` the whole state of `n` (name aside) with these
  // times, creating it under its parent, which must exist, if it is missing.
  // Outside any undo: how a snapshot is loaded and a tree is copied.
  void put(std::string_view path, const node& n, std::int64_t ctime, std::int64_t mtime);
  // A tree equal to this one (the tree is not copyable: its arena is not).
  data_tree clone() const;

 private:
  friend struct node;
  // A tree without even a root, for clone() to fill.
  struct empty_tag {};
  explicit data_tree(empty_tag) {}
  static constexpr std::uint32_t none = name_index::none;
  static constexpr std::uint32_t root = 0;

  struct slot {
    std::uint32_t parent = none;
    std::uint32_t first_child = none;
    std::uint32_t next_sibling = none;  // in a free slot, the next free slot
    std::uint32_t prev_sibling = none;
    std::uint32_t num_children = 0;
    blob_arena::handle record = 0;  // 0 in a free slot
  };
  // A node's fields as undo keeps them: owning its data, holding its ACL.
  struct saved_node {
    node_fields fields;  // name and data unused
    std::optional<std::string> data;
  };

  std::uint32_t number_of(std::string_view path) const;
  node_fields fields(std::uint32_t n) const;
  node view(std::uint32_t n) const;
  std::string path_of(std::uint32_t n) const;
  std::pair<std::uint32_t, std::string_view> key_of(std::uint32_t n) const;
  std::vector<std::string> paths_of(const std::set<std::uint32_t>& nodes) const;

  // Writes f as node n's record, in place when the size allows.
  void store(std::uint32_t n, const node_fields& f);
  // A new node under `parent` holding f (and f's ACL).
  std::uint32_t add_node(std::uint32_t parent, const node_fields& f);
  void drop_node(std::uint32_t n);
  void track(std::uint32_t n, std::int64_t owner);
  void untrack(std::uint32_t n, std::int64_t owner);

  void save(std::string_view path);
  void restore(const std::string& path, const saved_node& before);
  void forget_undo();
  // Drops the times of transactions no node refers to any more, once they pile up.
  void compact_times();

  std::vector<slot> slots_;
  std::uint32_t free_slots_ = none;
  std::size_t count_ = 0;
  name_index names_;
  blob_arena records_;
  acl_table acls_;
  zxid_times times_;
  std::size_t times_kept_ = 0;
  std::map<std::int64_t, std::set<std::uint32_t>> ephemerals_;
  std::set<std::uint32_t> containers_;
  std::set<std::uint32_t> ttls_;
  bool recording_ = false;
  std::vector<std::pair<std::string, std::optional<saved_node>>> undo_;
};

}  // namespace zkpp::detail::server
