// data_tree against a plain model of ZooKeeper's tree (a std::map by path,
// as the server kept it before it was made compact): random operations,
// multis that commit or roll back, and a clock that stalls and goes back.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "zkpp/detail/server/data_tree.hpp"

namespace zkpp::detail::server {
namespace {

struct model_node {
  std::optional<std::string> data;
  acl_list acl;
  std::int64_t czxid = 0, mzxid = 0, ctime = 0, mtime = 0, pzxid = 0, owner = 0;
  std::int32_t version = 0, child_creations = 0, aversion = 0;
  std::set<std::string> children;

  zkpp::stat stat() const {
    const auto n = static_cast<std::int32_t>(children.size());
    const bool session = owner != container_owner && !is_ttl_owner(owner);
    return {czxid,
            mzxid,
            ctime,
            mtime,
            version,
            child_creations * 2 - n,
            aversion,
            session ? owner : 0,
            data ? static_cast<std::int32_t>(data->size()) : 0,
            n,
            pzxid};
  }
};

using model = std::map<std::string, model_node>;

model built_in_nodes() {
  model m;
  m["/"] = {.data = "", .acl = acls::open_unsafe(), .children = {"zookeeper"}};
  m["/zookeeper"] = {.data = "", .acl = acls::open_unsafe(), .children = {"config", "quota"}};
  m["/zookeeper/quota"] = {.data = "", .acl = acls::open_unsafe(), .children = {}};
  m["/zookeeper/config"] = {.data = "", .acl = acls::read_unsafe(), .aversion = -1, .children = {}};
  return m;
}

std::string child_path(const std::string& parent, const std::string& name) {
  return (parent == "/" ? "" : parent) + "/" + name;
}

class tree_vs_model {
 public:
  explicit tree_vs_model(unsigned seed) : random_{seed} {}

  void run(int steps) {
    for (int step = 0; step < steps; ++step) {
      next_transaction();
      if (pick(8) == 0) {
        const auto before = model_;
        tree_.begin_undo();
        const auto ops = 1 + pick(4);
        for (int i = 0; i < ops; ++i) random_op();
        if (pick(2) == 0) {
          tree_.rollback();
          model_ = before;
        } else {
          tree_.commit();
        }
      } else {
        random_op();
      }
      if (step % 50 == 0) check();
      // A copy (what a lagging ensemble member reads) must go on like the original.
      if (step % 1000 == 999) tree_ = tree_.clone();
    }
    check();
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>{0, n - 1}(random_); }

  // A new zxid; its time stalls, moves on, or goes back.
  void next_transaction() {
    ++zxid_;
    const int move = pick(4);
    time_ += move == 0 ? 0 : move == 1 ? -pick(5) : pick(3);
  }

  const std::string& any_path() {
    auto it = model_.begin();
    std::advance(it, pick(static_cast<int>(model_.size())));
    return it->first;
  }

  std::optional<std::string> any_data() {
    switch (pick(5)) {
      case 0:
        return std::nullopt;
      case 1:
        return std::string{};
      case 2:
        return std::string(static_cast<std::size_t>(1100 + pick(900)), 'b');
      default:
        return std::string(static_cast<std::size_t>(pick(40)), static_cast<char>('a' + pick(26)));
    }
  }

  acl_list any_acl() {
    switch (pick(3)) {
      case 0:
        return acls::open_unsafe();
      case 1:
        return acls::read_unsafe();
      default:
        return {{perms::all, {"digest", "u" + std::to_string(pick(3)) + ":x"}}};
    }
  }

  std::int64_t any_owner() {
    switch (pick(6)) {
      case 0:
        return 1 + pick(3);
      case 1:
        return container_owner;
      case 2:
        return ttl_owner(1 + pick(4));
      default:
        return 0;
    }
  }

  void random_op() {
    const auto& path = any_path();
    auto& n = model_[path];
    switch (pick(4)) {
      case 0:
      case 1: {
        const bool session = n.owner != 0 && n.owner != container_owner && !is_ttl_owner(n.owner);
        const auto name = "n" + std::to_string(pick(12));
        const auto created = child_path(path, name);
        if (session || model_.contains(created) ||
            std::count(created.begin(), created.end(), '/') > 4)
          return;
        const auto data = any_data();
        const auto acl = any_acl();
        const auto owner = any_owner();
        tree_.create(created, data, acl, owner, zxid_, time_);
        n.children.insert(name);
        ++n.child_creations;
        n.pzxid = zxid_;
        model_[created] = {.data = data,
                           .acl = acl,
                           .czxid = zxid_,
                           .mzxid = zxid_,
                           .ctime = time_,
                           .mtime = time_,
                           .pzxid = zxid_,
                           .owner = owner,
                           .children = {}};
        return;
      }
      case 2: {
        if (path == "/" || !n.children.empty()) return;
        const std::string parent{parent_path(path)};
        tree_.remove(path, zxid_);
        auto& p = model_[parent];
        p.children.erase(std::string{node_name(path)});
        p.pzxid = std::max(p.pzxid, zxid_);
        model_.erase(path);
        return;
      }
      default:
        if (pick(2) == 0) {
          const auto data = any_data();
          tree_.set_data(path, data, zxid_, time_);
          n.data = data;
          n.mzxid = zxid_;
          n.mtime = time_;
          ++n.version;
        } else {
          const auto acl = any_acl();
          tree_.set_acl(path, acl);
          n.acl = acl;
          ++n.aversion;
        }
    }
  }

  void check() {
    ASSERT_EQ(tree_.node_count(), model_.size());
    std::size_t data_size = 0;
    std::map<std::int64_t, std::vector<std::string>> ephemerals;
    std::vector<std::string> empty_containers, idle_ttls;
    for (const auto& [path, m] : model_) {
      const auto n = tree_.find(path);
      ASSERT_TRUE(n) << path;
      EXPECT_EQ(n->stat(), m.stat()) << path;
      EXPECT_EQ(n->data, m.data) << path;
      EXPECT_EQ(*n->acl, m.acl) << path;
      EXPECT_EQ(n->children(), std::vector<std::string>(m.children.begin(), m.children.end()));
      std::int32_t below = 0;
      for (auto it = model_.upper_bound(path);
           it != model_.end() && it->first.starts_with(path == "/" ? "/" : path + "/"); ++it)
        ++below;
      EXPECT_EQ(tree_.descendant_count(path), below) << path;
      data_size += path.size() + (m.data ? m.data->size() : 0);
      if (const auto session = n->ephemeral_session()) ephemerals[session].push_back(path);
      if (m.owner == container_owner && m.children.empty() && m.child_creations > 0)
        empty_containers.push_back(path);
      if (is_ttl_owner(m.owner) && m.children.empty() && time_ - m.mtime > n->ttl_ms())
        idle_ttls.push_back(path);
      EXPECT_FALSE(tree_.find(path + "/missing")) << path;
    }
    EXPECT_EQ(tree_.approximate_data_size(), data_size);
    EXPECT_EQ(tree_.all_ephemerals(), ephemerals);
    for (const auto& [session, paths] : ephemerals) EXPECT_EQ(tree_.ephemerals(session), paths);
    empty_containers.insert(empty_containers.end(), idle_ttls.begin(), idle_ttls.end());
    EXPECT_EQ(tree_.reap_candidates(time_), empty_containers);
    std::set<std::string> visited;
    tree_.for_each_node([&](std::string_view path, const node& n) {
      const std::string p{path};
      EXPECT_TRUE(p == "/" || visited.contains(std::string{parent_path(p)}))
          << "parent first: " << p;
      EXPECT_TRUE(visited.insert(p).second) << p;
      ASSERT_TRUE(model_.contains(p)) << p;
      EXPECT_EQ(n.stat(), model_[p].stat()) << p;
    });
    EXPECT_EQ(visited.size(), model_.size());
  }

  std::mt19937 random_;
  data_tree tree_;
  model model_ = built_in_nodes();
  std::int64_t zxid_ = 0;
  std::int64_t time_ = 1'000'000;
};

TEST(data_tree, agrees_with_a_map_of_paths_through_random_operations_and_multis) {
  for (const unsigned seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    tree_vs_model t{seed};
    t.run(6000);
  }
}

TEST(data_tree, finds_no_node_at_malformed_paths) {
  data_tree tree;
  tree.create("/a", "x", acls::open_unsafe(), 0, 1, 5);
  for (const auto* path : {"a", "/a/", "//a", "/a//", "/b", "/a/b", "zookeeper"})
    EXPECT_FALSE(tree.find(path)) << path;
  EXPECT_TRUE(tree.find(""));
  EXPECT_TRUE(tree.find("/a"));
}

TEST(data_tree, keeps_each_transactions_time_as_the_clock_stalls_and_goes_back) {
  data_tree tree;
  const std::int64_t times[] = {100, 100, 90, 90, 120, 80, 80, 130};
  for (int i = 0; i < 8; ++i)
    tree.create("/n" + std::to_string(i), std::nullopt, acls::open_unsafe(), 0, i + 1, times[i]);
  tree.set_data("/n0", "x", 9, 70);
  for (int i = 0; i < 8; ++i) {
    const auto n = tree.find("/n" + std::to_string(i));
    ASSERT_TRUE(n);
    EXPECT_EQ(n->ctime(), times[i]) << i;
    EXPECT_EQ(n->mtime(), i == 0 ? 70 : times[i]) << i;
  }
}

TEST(zxid_times, records_an_earlier_zxid_without_moving_its_neighbours) {
  zxid_times t;
  t.record(10, 5);
  t.record(20, 7);
  t.record(15, 6);  // out of order, inside the run of 10
  t.record(10, 4);  // a new time for the first zxid of a run
  EXPECT_EQ(t.time_of(10), 4);
  EXPECT_EQ(t.time_of(11), 5);
  EXPECT_EQ(t.time_of(14), 5);
  EXPECT_EQ(t.time_of(15), 6);
  EXPECT_EQ(t.time_of(16), 5);
  EXPECT_EQ(t.time_of(20), 7);
  EXPECT_EQ(t.time_of(25), 7);
  EXPECT_EQ(t.time_of(3), 0);
  const std::int64_t used[] = {15, 20};
  t.keep_only(used);
  EXPECT_EQ(t.time_of(15), 6);
  EXPECT_EQ(t.time_of(20), 7);
}

}  // namespace
}  // namespace zkpp::detail::server
