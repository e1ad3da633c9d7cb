#include "zkpp/recipes/leader_latch.hpp"

#include <asio/use_future.hpp>

#include "recipe_fixture.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::leader_latch;

// Participants, one session each, telling `leaders` / `followers` their id
// when they gain / lose leadership.
class leader_latch_test : public recipe_test {
 protected:
  leader_latch& join(const std::string& id) {
    sessions_.push_back(connect_client());
    latches_.push_back(std::make_unique<leader_latch>(*sessions_.back(), path("election"), id));
    latches_.back()->add_listener({.is_leader = [this, id] { leaders_.push(id); },
                                   .not_leader = [this, id] { followers_.push(id); }});
    latches_.back()->start();
    return *latches_.back();
  }

  leader_latch& latch(const std::string& id) { return participant(latches_, id); }

  std::size_t leader_count() const {
    std::size_t n = 0;
    for (const auto& l : latches_) n += l->has_leadership() ? 1 : 0;
    return n;
  }

  void TearDown() override {
    latches_.clear();  // before their sessions
    sessions_.clear();
    recipe_test::TearDown();
  }

  std::vector<std::unique_ptr<client>> sessions_;
  std::vector<std::unique_ptr<leader_latch>> latches_;
  recorder<std::string> leaders_;
  recorder<std::string> followers_;
};

TEST_F(leader_latch_test, ElectsExactlyOneLeaderAmongSeveral) {
  for (const auto* id : {"p1", "p2", "p3", "p4", "p5"}) join(id);
  await_children(path("election"), 5, "every participant's node");
  const auto leader = leaders_.next("a leader");
  EXPECT_TRUE(latch(leader).has_leadership());
  EXPECT_EQ(leader_count(), 1u);
  // p1's session may be on another ensemble member than the one that saw 5
  // children: sync it first.
  sessions_.front()->sync(path("election"));
  const auto view = latches_.front()->participants();
  EXPECT_EQ(view.leader, leader);
  EXPECT_EQ(view.ids.size(), 5u);
  EXPECT_EQ(view.ids.front(), leader);
  for (const auto& l : latches_) {
    if (l->id() == leader) continue;
    EXPECT_FALSE(l->await_leadership(50ms)) << l->id();
  }
  EXPECT_EQ(leaders_.size(), 0u) << "a second leader";
}

TEST_F(leader_latch_test, CloseHandsLeadershipOverToTheNextInLine) {
  for (const auto* id : {"a", "b", "c"}) join(id);
  await_children(path("election"), 3, "every participant's node");
  auto first = leaders_.next("the first leader");
  const auto order = latch(first).participants().ids;
  ASSERT_EQ(order.size(), 3u);
  latch(first).close();
  EXPECT_FALSE(latch(first).has_leadership());
  EXPECT_EQ(followers_.next("the closed leader told"), first);
  const auto second = leaders_.next("leadership handed over on close");
  EXPECT_EQ(second, order[1]);
  EXPECT_TRUE(latch(second).await_leadership(default_deadline));
  EXPECT_EQ(leader_count(), 1u);
}

TEST_F(leader_latch_test, LeaderWhoseSessionIsClosedIsToldAndReplaced) {
  join("x");
  EXPECT_EQ(leaders_.next("x leads alone"), "x");
  join("y");
  await_children(path("election"), 2, "both participants' nodes");
  auto waiting = latch("y").async_await_leadership(asio::use_future);
  sessions_.front()->close();
  EXPECT_EQ(followers_.next("not_leader told on loss"), "x");
  EXPECT_FALSE(latch("x").has_leadership());
  await(std::move(waiting), "y's leadership after x's session closed");
  EXPECT_EQ(leaders_.next("y leads"), "y");
  EXPECT_EQ(latch("y").participants().ids, std::vector<std::string>{"y"});
}

TEST_F(leader_latch_test, NodeFollowsCuratorNamingWithTheIdAsData) {
  auto& l = join("participant-7");
  EXPECT_TRUE(l.await_leadership(default_deadline));
  const auto children = admin_->get_children(path("election"));
  ASSERT_EQ(children.size(), 1u);
  EXPECT_TRUE(children[0].starts_with("_c_")) << children[0];
  EXPECT_NE(children[0].find("-latch-"), std::string::npos) << children[0];
  EXPECT_EQ(admin_->get_data(path("election/" + children[0])).data, "participant-7");
  l.close();
  await_children(path("election"), 0, "the node deleted on close");
}

}  // namespace
}  // namespace zkpp::test
