// zkpp locks and elections and Apache Curator 5.4's contending on the same
// paths, with a Curator peer steered from here.

#include <asio/use_future.hpp>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "curator_peer_test.hpp"
#include "zkpp/recipes/leader_latch.hpp"
#include "zkpp/recipes/mutex.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::leader_latch;
using recipes::mutex;

// Names Curator gives its protected sequential nodes.
std::regex curator_node(const std::string& dir, const std::string& kind) {
  return std::regex{dir + "/_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-" +
                    kind + "-[0-9]{10}"};
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size() && !list.empty()) {
    auto end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class curator_interop_test : public curator_peer_test {
 protected:
  void TearDown() override {
    latch_.reset();
    zkpp_mutex_.reset();
    other_.reset();
    curator_peer_test::TearDown();
  }

  bool curator_leads() {
    const auto answer = curator_answer("has-leadership", "leadership ");
    EXPECT_TRUE(answer == "true" || answer == "false") << answer;
    return answer == "true";
  }
  // Curator's view of the lock's contenders, in its order.
  std::vector<std::string> curator_lock_queue() {
    return split(curator_answer("mutex-participants", "mutex-participants "));
  }

  mutex& zkpp_mutex(const std::string& name) {
    other_ = connect_client();
    zkpp_mutex_ = std::make_unique<mutex>(*other_, path(name));
    return *zkpp_mutex_;
  }
  leader_latch& zkpp_latch(const std::string& name, const std::string& id) {
    other_ = connect_client();
    latch_ = std::make_unique<leader_latch>(*other_, path(name), id);
    latch_->add_listener({.is_leader = [r = zkpp_leads_] { r.push(true); },
                          .not_leader = [r = zkpp_leads_] { r.push(false); }});
    latch_->start();
    return *latch_;
  }

  std::unique_ptr<client> other_;  // the zkpp contender's session
  std::unique_ptr<mutex> zkpp_mutex_;
  std::unique_ptr<leader_latch> latch_;
  recorder<bool> zkpp_leads_;  // the zkpp latch's listener: true on is_leader
};

TEST_F(curator_interop_test, CuratorHolderExcludesZkppUntilItReleases) {
  auto& lock = zkpp_mutex("lock");
  ask("mutex-acquire " + path("lock"), "acquired");
  EXPECT_FALSE(lock.try_lock_for(300ms)) << "zkpp acquired a lock Curator holds";
  EXPECT_FALSE(lock.is_held());
  await_children(path("lock"), 1, "zkpp's node withdrawn after its deadline");
  ask("mutex-release", "released");
  EXPECT_TRUE(lock.try_lock_for(default_deadline)) << "zkpp acquiring after Curator released";
  lock.unlock();
}

TEST_F(curator_interop_test, ZkppHolderExcludesCuratorUntilItUnlocks) {
  auto& lock = zkpp_mutex("lock");
  lock.lock();
  peer_->send("mutex-acquire " + path("lock") + " 300");
  EXPECT_EQ(peer_->expect_one_of({"acquired", "timeout"}, "Curator's acquire(300 ms) to end",
                                 default_deadline),
            "timeout")
      << "Curator acquired a lock zkpp holds";
  lock.unlock();
  peer_->send("mutex-acquire " + path("lock") + " 20000");
  EXPECT_EQ(peer_->expect_one_of({"acquired", "timeout"}, "Curator's acquire after zkpp unlocked",
                                 default_deadline),
            "acquired");
  EXPECT_FALSE(lock.try_lock()) << "zkpp acquired a lock Curator holds";
  ask("mutex-release", "released");
}

TEST_F(curator_interop_test, ZkppWaiterBehindCuratorGetsTheLockOnRelease) {
  auto& lock = zkpp_mutex("lock");
  ask("mutex-acquire " + path("lock"), "acquired");
  auto acquired = lock.async_lock(asio::use_future);
  await_children(path("lock"), 2, "zkpp queued behind Curator");
  // Curator orders zkpp's node by its sequence: behind its own.
  const auto queue = curator_lock_queue();
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_TRUE(std::regex_match(queue[0], curator_node(path("lock"), "lock"))) << queue[0];
  ask("mutex-release", "released");
  await(std::move(acquired), "zkpp's lock after Curator released");
  EXPECT_TRUE(lock.is_held());
  EXPECT_EQ(lock.lock_node(), queue[1]);
  lock.unlock();
}

TEST_F(curator_interop_test, CuratorWaiterBehindZkppGetsTheLockOnUnlock) {
  auto& lock = zkpp_mutex("lock");
  lock.lock();
  peer_->send("mutex-acquire " + path("lock"));
  await_children(path("lock"), 2, "Curator queued behind zkpp");
  const auto queue = curator_lock_queue();
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0], lock.lock_node()) << "Curator's order of zkpp's node";
  EXPECT_TRUE(std::regex_match(queue[1], curator_node(path("lock"), "lock"))) << queue[1];
  lock.unlock();
  expect("acquired", "Curator's lock after zkpp unlocked");
  EXPECT_FALSE(lock.try_lock()) << "zkpp acquired a lock Curator holds";
  ask("mutex-release", "released");
}

TEST_F(curator_interop_test, OneLeaderAndZkppHandsOverToCuratorOnClose) {
  auto& latch = zkpp_latch("election", "zkpp-1");
  EXPECT_TRUE(zkpp_leads_.next("zkpp leading alone"));
  ask("latch-start " + path("election") + " curator-1", "latch-started");
  await_children(path("election"), 2, "both participants' nodes");
  EXPECT_TRUE(latch.has_leadership());
  EXPECT_FALSE(curator_leads()) << "two leaders";
  EXPECT_EQ(curator_answer("latch-participants", "participants "),
            "leader=zkpp-1 ids=zkpp-1,curator-1");
  const auto view = latch.participants();
  EXPECT_EQ(view.leader, "zkpp-1");
  EXPECT_EQ(view.ids, (std::vector<std::string>{"zkpp-1", "curator-1"}));

  latch.close();
  EXPECT_FALSE(zkpp_leads_.next("zkpp told it no longer leads"));
  expect("leader", "Curator leading after the zkpp leader closed");
  EXPECT_TRUE(curator_leads());
  EXPECT_FALSE(latch.has_leadership());
}

TEST_F(curator_interop_test, OneLeaderAndCuratorHandsOverToZkppOnClose) {
  ask("latch-start " + path("election") + " curator-1", "latch-started");
  expect("leader", "Curator leading alone");
  auto& latch = zkpp_latch("election", "zkpp-1");
  await_children(path("election"), 2, "both participants' nodes");
  EXPECT_TRUE(curator_leads());
  EXPECT_FALSE(latch.has_leadership()) << "two leaders";
  // Each side reads the other's node: its name for the order, its data for the id.
  const auto view = latch.participants();
  EXPECT_EQ(view.leader, "curator-1");
  EXPECT_EQ(view.ids, (std::vector<std::string>{"curator-1", "zkpp-1"}));
  EXPECT_EQ(curator_answer("latch-participants", "participants "),
            "leader=curator-1 ids=curator-1,zkpp-1");

  ask("latch-close", "not-leader");
  expect("latch-closed", "Curator's close to return");
  EXPECT_TRUE(zkpp_leads_.next("zkpp leading after the Curator leader closed"));
  EXPECT_TRUE(latch.has_leadership());
  EXPECT_FALSE(curator_leads());
  EXPECT_EQ(latch.participants().ids, std::vector<std::string>{"zkpp-1"});
}

}  // namespace
}  // namespace zkpp::test
