// Ownership revoked when the connection is lost: an embedded reference
// server drops every connection (the client hears `suspended`, then
// `reconnected` with its session intact).

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include "../integration/waiting.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/distributed_queue.hpp"
#include "zkpp/recipes/double_barrier.hpp"
#include "zkpp/recipes/leader_latch.hpp"
#include "zkpp/recipes/leader_selector.hpp"
#include "zkpp/recipes/mutex.hpp"
#include "zkpp/recipes/semaphore.hpp"
#include "zkpp/recipes/shared_count.hpp"
#include "zkpp/recipes/shared_mutex.hpp"
#include "zkpp/server.hpp"

namespace zkpp::test {
namespace {

class loss_test : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    zk_ = std::make_unique<client>(client_options{.connect_string = server_.connect_string()});
    zk_->on_state([this](session_state s) { states_.push(s); });
    await(zk_->async_connect(asio::use_future), "connect to the embedded server");
    EXPECT_EQ(states_.next("connected"), session_state::connected);
  }

  // Drops the connection and waits until the same session is back.
  void suspend_and_reconnect() {
    server_.drop_connections();
    EXPECT_EQ(states_.next("suspended"), session_state::suspended);
    EXPECT_EQ(states_.next("reconnected"), session_state::reconnected);
  }

  server server_{{.port = 0}};
  recorder<session_state> states_;
  std::unique_ptr<client> zk_;
};

TEST_F(loss_test, SuspendedRevokesAHeldMutexAndDeletesItsNode) {
  recorder<session_state> revoked;
  recipes::mutex lock{*zk_, "/locks/ledger"};
  lock.on_revoked([&](session_state s) { revoked.push(s); });
  lock.lock();
  suspend_and_reconnect();
  EXPECT_EQ(revoked.next("the holder told"), session_state::suspended);
  EXPECT_FALSE(lock.is_held());
  EXPECT_EQ(lock.fencing_token(), 0);
  // The node is deleted once reconnected, so another contender gets the lock.
  client other{{.connect_string = server_.connect_string()}};
  other.connect();
  recipes::mutex next{other, "/locks/ledger"};
  EXPECT_TRUE(next.try_lock_for(default_deadline));
  next.unlock();
  lock.unlock();  // revoked: a no-op
}

TEST_F(loss_test, LostPolicyKeepsTheLockThroughASurvivedOutage) {
  recipes::mutex lock{*zk_, "/locks/ledger", {.revoke = recipes::revoke_on::lost}};
  lock.lock();
  const auto token = lock.fencing_token();
  suspend_and_reconnect();
  EXPECT_TRUE(lock.is_held());
  EXPECT_EQ(lock.fencing_token(), token);
  lock.unlock();
}

TEST_F(loss_test, ExpiredSessionRevokesEvenUnderTheLostPolicy) {
  recorder<session_state> revoked;
  recipes::mutex lock{*zk_, "/locks/ledger", {.revoke = recipes::revoke_on::lost}};
  lock.on_revoked([&](session_state s) { revoked.push(s); });
  lock.lock();
  server_.expire_session(zk_->session_id());
  EXPECT_EQ(revoked.next("the holder told of the expiry"), session_state::lost);
  EXPECT_FALSE(lock.is_held());
  client other{{.connect_string = server_.connect_string()}};
  other.connect();
  recipes::mutex next{other, "/locks/ledger"};
  EXPECT_TRUE(next.try_lock_for(default_deadline));
  next.unlock();
}

TEST_F(loss_test, SuspendedRevokesBothSidesOfASharedMutex) {
  recorder<std::string> revoked;
  recipes::shared_mutex lock{*zk_, "/locks/table"};
  lock.on_revoked([&](session_state) { revoked.push("write"); });
  lock.on_revoked_shared([&](session_state) { revoked.push("read"); });
  lock.lock();
  lock.lock_shared();
  suspend_and_reconnect();
  std::vector<std::string> sides{revoked.next("a side revoked"), revoked.next("the other side")};
  std::sort(sides.begin(), sides.end());
  EXPECT_EQ(sides, (std::vector<std::string>{"read", "write"}));
  EXPECT_FALSE(lock.is_held());
  EXPECT_FALSE(lock.is_held_shared());
  client other{{.connect_string = server_.connect_string()}};
  other.connect();
  recipes::shared_mutex next{other, "/locks/table"};
  EXPECT_TRUE(next.try_lock_for(default_deadline));
  next.unlock();
}

TEST_F(loss_test, SemaphoreWaiterCarriesOnThroughADroppedConnection) {
  client holder_zk{{.connect_string = server_.connect_string()}};
  holder_zk.connect();
  recipes::semaphore holder{holder_zk, "/sem", 1};
  auto held = holder.acquire();
  recipes::semaphore waiter{*zk_, "/sem", 1};
  auto got = waiter.async_acquire(asio::use_future);
  server_.drop_session_connection(zk_->session_id());
  EXPECT_EQ(states_.next("suspended"), session_state::suspended);
  EXPECT_EQ(states_.next("reconnected"), session_state::reconnected);
  held.release();
  EXPECT_TRUE(await(std::move(got), "the lease after the outage and the release"));
}

TEST_F(loss_test, QueueTakeWaitingThroughADroppedConnectionGetsTheNextItem) {
  recipes::distributed_queue consumer{*zk_, "/jobs"};
  auto taken = consumer.async_take(asio::use_future);
  suspend_and_reconnect();
  client producer_zk{{.connect_string = server_.connect_string()}};
  producer_zk.connect();
  recipes::distributed_queue producer{producer_zk, "/jobs"};
  producer.put("after the outage");
  EXPECT_EQ(await(std::move(taken), "the item put after the outage"), "after the outage");
  EXPECT_EQ(producer_zk.get_children("/jobs").size(), 0u);
}

TEST_F(loss_test, DoubleBarrierMemberEntersThroughADroppedConnection) {
  recipes::double_barrier first{*zk_, "/batch", 2};
  auto first_in = first.async_enter(asio::use_future);
  suspend_and_reconnect();
  client other_zk{{.connect_string = server_.connect_string()}};
  other_zk.connect();
  recipes::double_barrier second{other_zk, "/batch", 2};
  auto second_in = second.async_enter(asio::use_future);
  await(std::move(first_in), "the member that lived through the outage to enter");
  await(std::move(second_in), "the second member to enter");
  auto first_out = first.async_leave(asio::use_future);
  auto second_out = second.async_leave(asio::use_future);
  await(std::move(first_out), "the first member to leave");
  await(std::move(second_out), "the second member to leave");
}

TEST_F(loss_test, SharedCountListenerEndsOnTheValueWrittenDuringAnOutage) {
  recipes::shared_count count{*zk_, "/counter", 0};
  recorder<std::int32_t> seen;
  count.add_listener([&](recipes::versioned_count c) { seen.push(c.value); });
  count.start();
  client writer_zk{{.connect_string = server_.connect_string()}};
  writer_zk.connect();
  recipes::shared_count writer{writer_zk, "/counter", 0};
  writer.start();
  server_.drop_session_connection(zk_->session_id());
  writer.set(7);  // while the listener's session is suspended, or just back
  EXPECT_EQ(states_.next("suspended"), session_state::suspended);
  EXPECT_EQ(states_.next("reconnected"), session_state::reconnected);
  while (seen.next("the listener to reach 7") != 7) {
  }
  EXPECT_EQ(count.get().value, 7);
  writer.close();
  count.close();
}

TEST_F(loss_test, LeaderToldNotLeaderOnSuspendedAndLeadsAgainAfterReconnect) {
  recorder<bool> changes;
  recipes::leader_latch latch{*zk_, "/election", "solo"};
  latch.add_listener(
      {.is_leader = [&] { changes.push(true); }, .not_leader = [&] { changes.push(false); }});
  latch.start();
  EXPECT_TRUE(changes.next("leadership"));
  suspend_and_reconnect();
  EXPECT_FALSE(changes.next("not_leader on suspended"));
  EXPECT_TRUE(changes.next("leadership checked again after reconnect"));
  EXPECT_TRUE(latch.has_leadership());
}

TEST_F(loss_test, LatchJoinsAgainInTheNewSessionAfterExpiry) {
  client zk{{.connect_string = server_.connect_string(), .on_expiry = expiry_policy::new_session}};
  zk.connect();
  recorder<bool> changes;
  recipes::leader_latch latch{zk, "/election", "phoenix"};
  latch.add_listener(
      {.is_leader = [&] { changes.push(true); }, .not_leader = [&] { changes.push(false); }});
  latch.start();
  EXPECT_TRUE(changes.next("leadership"));
  const auto old_session = zk.session_id();
  server_.expire_session(old_session);
  EXPECT_FALSE(changes.next("not_leader on expiry"));
  EXPECT_TRUE(changes.next("leadership again from a node of the new session"));
  EXPECT_NE(zk.session_id(), old_session);
  EXPECT_EQ(latch.participants().ids, std::vector<std::string>{"phoenix"});
}

// What a leader callback that works until its leadership is lost tells:
// its turns and how they ended in `work`, on_lost notices in `told` (their
// order against `work` is not defined).
struct leader_reports {
  recorder<std::string> work;
  recorder<std::string> told;
};

recipes::leader_callback work_until_lost(const leader_reports& reports) {
  return [reports](recipes::leadership& l) {
    l.on_lost([told = reports.told] { told.push("lost"); });
    reports.work.push("leads");
    reports.work.push(l.await_loss(default_deadline) && !l.valid() ? "stopped" : "timed out");
  };
}

TEST_F(loss_test, SuspendedCancelsTheLeaderCallbackWhichLeadsAgainAfterReconnect) {
  leader_reports solo;
  recipes::leader_selector selector{
      *zk_, "/election", "solo", work_until_lost(solo), {.auto_requeue = true}};
  selector.start();
  EXPECT_EQ(solo.work.next("leadership"), "leads");
  suspend_and_reconnect();
  EXPECT_EQ(solo.told.next("on_lost"), "lost");
  EXPECT_EQ(solo.work.next("the callback stopping"), "stopped");
  EXPECT_EQ(solo.work.next("leadership again after the reconnect"), "leads");
  EXPECT_TRUE(selector.has_leadership());
}

TEST_F(loss_test, ExpiredSessionCancelsTheLeaderCallbackAndTheNextLeads) {
  leader_reports first, second;
  recipes::leader_selector old_leader{
      *zk_, "/election", "first", work_until_lost(first), {.revoke = recipes::revoke_on::lost}};
  old_leader.start();
  EXPECT_EQ(first.work.next("first leads"), "leads");
  client other{{.connect_string = server_.connect_string()}};
  other.connect();
  recipes::leader_selector next_leader{other, "/election", "second", work_until_lost(second)};
  next_leader.start();
  server_.expire_session(zk_->session_id());
  // The next leader may start before the old one hears of the expiry.
  EXPECT_EQ(first.told.next("on_lost"), "lost");
  EXPECT_EQ(first.work.next("the callback stopping"), "stopped");
  EXPECT_FALSE(old_leader.has_leadership());
  EXPECT_EQ(second.work.next("the next leader"), "leads");
  EXPECT_EQ(next_leader.participants().ids, std::vector<std::string>{"second"});
}

}  // namespace
}  // namespace zkpp::test
