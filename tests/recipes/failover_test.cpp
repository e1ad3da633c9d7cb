// Leadership moves on when the leader goes: it closes, or its session
// expires because the server stops hearing from it (a stalled TCP proxy
// between the leader and the server, so real ZooKeeper expires it too).

#include <asio/use_future.hpp>

#include "recipe_fixture.hpp"
#include "zkpp/recipes/leader_latch.hpp"
#include "zkpp/recipes/leader_selector.hpp"
#include "zkpp/test/fault_proxy.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

// The shortest session the servers grant (2 ticks of 2 s): expiry comes fast.
constexpr auto short_session = 4000ms;

class failover_test : public recipe_test {
 protected:
  void SetUp() override {
    recipe_test::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const auto all = servers();
    proxy_ = std::make_unique<fault_proxy>(all.substr(0, all.find(',')));
  }

  // A session through the proxy, with a short timeout; its states go to `states_`.
  std::unique_ptr<client> connect_through_proxy() {
    auto c = std::make_unique<client>(client_options{.connect_string = proxy_->connect_string(),
                                                     .session_timeout = short_session});
    c->on_state(states_.pusher());
    await(c->async_connect(asio::use_future), "connect through the proxy");
    return c;
  }

  // Stalls the proxy until the server has expired `proxied`'s session (an
  // ephemeral witness node of that session is deleted).
  void stall_until_expired(client& proxied) {
    const auto witness = path("witness");
    proxied.create(witness, "", {.mode = create_mode::ephemeral});
    event_recorder gone;
    ASSERT_TRUE(admin_->exists(witness, record_into(gone)));
    proxy_->stall();
    EXPECT_EQ(gone.next("the server to expire the stalled session", 30s).type,
              event_type::node_deleted);
  }

  recorder<session_state> states_;
  std::unique_ptr<fault_proxy> proxy_;
};

TEST_F(failover_test, LatchLeaderClosingHandsLeadershipToTheNext) {
  auto first_session = connect_client();
  auto second_session = connect_client();
  recipes::leader_latch first{*first_session, path("election"), "first"};
  recipes::leader_latch second{*second_session, path("election"), "second"};
  first.start();
  ASSERT_TRUE(first.await_leadership(default_deadline));
  second.start();
  await_children(path("election"), 2, "both participants");
  auto elected = second.async_await_leadership(asio::use_future);
  first.close();
  await(std::move(elected), "the next leader after the leader closed");
  EXPECT_TRUE(second.has_leadership());
  EXPECT_FALSE(first.has_leadership());
  EXPECT_EQ(second.participants().leader, "second");
}

TEST_F(failover_test, LatchLeaderWhoseSessionExpiresIsReplaced) {
  auto leader_session = connect_through_proxy();
  auto follower_session = connect_client();
  recorder<bool> leader_changes;
  recipes::leader_latch leader{*leader_session, path("election"), "leader"};
  leader.add_listener({.is_leader = [leader_changes] { leader_changes.push(true); },
                       .not_leader = [leader_changes] { leader_changes.push(false); }});
  recipes::leader_latch follower{*follower_session, path("election"), "follower"};
  leader.start();
  EXPECT_TRUE(leader_changes.next("the first leader"));
  follower.start();
  await_children(path("election"), 2, "both participants");
  auto elected = follower.async_await_leadership(asio::use_future);
  ASSERT_EQ(follower.participants().leader, "leader");
  stall_until_expired(*leader_session);
  EXPECT_FALSE(leader_changes.next("the leader told it no longer leads"));
  await(std::move(elected), "the follower elected once the server expired the leader", 30s);
  EXPECT_EQ(follower.participants().ids, std::vector<std::string>{"follower"});
  proxy_->pass();
}

TEST_F(failover_test, SelectorLeaderWhoseSessionExpiresStopsAndIsReplaced) {
  recorder<std::string> leader_work, follower_work;
  const auto work_until_lost = [](recorder<std::string> work) {
    return [work](recipes::leadership& l) {
      work.push("leads");
      work.push(l.await_loss(60s) ? "stopped" : "timed out");
    };
  };
  auto leader_session = connect_through_proxy();
  auto follower_session = connect_client();
  recipes::leader_selector leader{*leader_session, path("election"), "leader",
                                  work_until_lost(leader_work)};
  recipes::leader_selector follower{*follower_session, path("election"), "follower",
                                    work_until_lost(follower_work)};
  leader.start();
  EXPECT_EQ(leader_work.next("the first leader"), "leads");
  follower.start();
  await_children(path("election"), 2, "both selectors queued");
  stall_until_expired(*leader_session);
  // Told on suspended, before the server expired the session.
  EXPECT_EQ(leader_work.next("the leader's callback stopping"), "stopped");
  EXPECT_EQ(follower_work.next("the follower leading once the leader expired", 30s), "leads");
  EXPECT_EQ(follower.participants().ids, std::vector<std::string>{"follower"});
  follower.close();
  EXPECT_EQ(follower_work.next("the follower's callback stopping"), "stopped");
  proxy_->pass();
}

}  // namespace
}  // namespace zkpp::test
