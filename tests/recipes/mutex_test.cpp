#include "zkpp/recipes/mutex.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>

#include <charconv>
#include <mutex>
#include <regex>
#include <thread>

#include "recipe_fixture.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::mutex;

using mutex_test = contender_test;

// "count:fencing-token" in the counter node.
std::pair<std::int64_t, std::int64_t> parse_counter(const std::string& data) {
  const auto colon = data.find(':');
  std::int64_t count = 0;
  std::int64_t token = 0;
  std::from_chars(data.data(), data.data() + colon, count);
  std::from_chars(data.data() + colon + 1, data.data() + data.size(), token);
  return {count, token};
}

TEST_F(mutex_test, ExcludesEightClientsIncrementingACounter) {
  constexpr int clients = 8;
  constexpr int rounds = 10;
  const auto counter = path("counter");
  admin_->create(counter, "0:0");
  const auto lock_path = path("lock");

  failure_log fail;

  std::vector<std::unique_ptr<client>> sessions;
  for (int i = 0; i < clients; ++i) sessions.push_back(connect_client());
  std::vector<std::thread> workers;
  for (int i = 0; i < clients; ++i) {
    workers.emplace_back([&, i] {
      try {
        mutex lock{*sessions[i], lock_path};
        for (int r = 0; r < rounds; ++r) {
          if (!lock.try_lock_for(default_deadline)) return fail("lock timed out");
          std::unique_lock guard{lock, std::adopt_lock};
          // Read-modify-write: only exclusion keeps the count exact.
          auto [data, stat] = sessions[i]->get_data(counter);
          const auto [count, last_token] = parse_counter(data);
          const auto token = lock.fencing_token();
          if (token <= last_token)
            fail("fencing token " + std::to_string(token) + " after " + std::to_string(last_token));
          const auto next = std::to_string(count + 1) + ":" + std::to_string(token);
          auto result = await(lock.async_guarded_multi({op::set_data{counter, next, stat.version}},
                                                       asio::use_future),
                              "guarded write");
          if (result.size() != 1) fail("guarded multi gave " + std::to_string(result.size()));
        }
      } catch (const std::exception& e) {
        fail(e.what());
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(fail.first(), "");
  EXPECT_EQ(parse_counter(admin_->get_data(counter).data).first, clients * rounds);
  await_children(lock_path, 0, "every lock node deleted on release");
}

TEST_F(mutex_test, NodeFollowsCuratorNamingAndTokenIsItsCzxid) {
  mutex lock{*admin_, path("a/b/lock")};  // missing parents become containers
  lock.lock();
  ASSERT_TRUE(lock.is_held());
  const auto node = lock.lock_node();
  EXPECT_TRUE(std::regex_match(
      node,
      std::regex{path("a/b/lock") + "/_c_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                    "[0-9a-f]{12}-lock-[0-9]{10}"}))
      << node;
  const auto st = admin_->exists(node);
  ASSERT_TRUE(st);
  EXPECT_EQ(lock.fencing_token(), st->czxid);
  EXPECT_EQ(st->ephemeral_owner, admin_->session_id());
  EXPECT_EQ(admin_->exists(path("a/b/lock"))->ephemeral_owner, 0);
  const auto first = lock.fencing_token();
  lock.unlock();
  EXPECT_FALSE(lock.is_held());
  EXPECT_EQ(lock.fencing_token(), 0);
  lock.lock();
  EXPECT_GT(lock.fencing_token(), first);
  lock.unlock();
}

TEST_F(mutex_test, IsReentrantForTheSameObject) {
  mutex lock{*admin_, path("lock")};
  mutex other{*other_, path("lock")};
  lock.lock();
  lock.lock();
  const auto token = lock.fencing_token();
  ASSERT_TRUE(lock.try_lock_for(1s));
  EXPECT_EQ(lock.fencing_token(), token);
  EXPECT_EQ(admin_->get_children(path("lock")).size(), 1u);
  lock.unlock();
  lock.unlock();
  EXPECT_TRUE(lock.is_held());
  EXPECT_FALSE(other.try_lock());
  lock.unlock();
  EXPECT_FALSE(lock.is_held());
  EXPECT_TRUE(other.try_lock_for(default_deadline));
  EXPECT_GT(other.fencing_token(), token);
  other.unlock();
  lock.unlock();  // not held: a no-op
}

TEST_F(mutex_test, TryLockForTimesOutWhileHeldAndLeavesNoNode) {
  mutex holder{*admin_, path("lock")};
  mutex waiter{*other_, path("lock")};
  holder.lock();
  EXPECT_FALSE(waiter.try_lock_for(300ms));
  EXPECT_FALSE(waiter.is_held());
  await_children(path("lock"), 1, "the waiter's node withdrawn after its deadline");
  holder.unlock();
  EXPECT_TRUE(waiter.try_lock_for(default_deadline));
  waiter.unlock();
}

TEST_F(mutex_test, WaitsForForeignContendersWhateverTheirPrefix) {
  // A kazoo Lock contender ("<uuid>__lock__<seq>") got there first.
  const auto foreign = foreign_contender(path("lock"), "0f1e2d3c4b5a__lock__");
  mutex lock{*admin_, path("lock")};
  EXPECT_FALSE(lock.try_lock());
  EXPECT_FALSE(lock.try_lock_for(200ms));
  await_after_foreign(path("lock"), foreign, lock.async_lock(asio::use_future));
  EXPECT_TRUE(lock.is_held());
  lock.unlock();
}

TEST_F(mutex_test, HolderWhoseSessionClosesHandsOver) {
  auto holder_session = connect_client();
  auto waiter_session = connect_client();
  recorder<session_state> revoked;
  mutex holder{*holder_session, path("lock")};
  holder.on_revoked([&](session_state s) { revoked.push(s); });
  mutex waiter{*waiter_session, path("lock")};
  holder.lock();
  auto acquired = waiter.async_lock(asio::use_future);
  await_children(path("lock"), 2, "the waiter queued");
  holder_session->close();
  await(std::move(acquired), "the lock handed over after the holder's session closed");
  EXPECT_TRUE(waiter.is_held());
  EXPECT_EQ(revoked.next("the holder told of its loss"), session_state::closed);
  EXPECT_FALSE(holder.is_held());
  holder.unlock();  // revoked: a no-op
  waiter.unlock();
}

TEST_F(mutex_test, AsyncLockCanBeCancelled) {
  mutex holder{*admin_, path("lock")};
  mutex waiter{*other_, path("lock")};
  holder.lock();
  recorder<std::error_code> result;
  asio::cancellation_signal cancel;
  waiter.async_lock(
      asio::bind_cancellation_slot(cancel.slot(), [&](std::error_code ec) { result.push(ec); }));
  await_children(path("lock"), 2, "the waiter queued");
  cancel.emit(asio::cancellation_type::terminal);
  EXPECT_EQ(result.next("the cancelled lock"), asio::error::operation_aborted);
  await_children(path("lock"), 1, "the cancelled waiter's node withdrawn");
  holder.unlock();
}

TEST_F(mutex_test, AsyncLockForTimesOutWhileHeldThenSucceedsWhenFree) {
  mutex holder{*admin_, path("lock")};
  mutex waiter{*other_, path("lock")};
  holder.lock();
  recorder<std::error_code> result;
  waiter.async_lock_for(200ms, result.pusher());
  EXPECT_EQ(result.next("the timed-out lock"), error::operation_timeout);
  EXPECT_FALSE(waiter.is_held());
  await_children(path("lock"), 1, "the timed-out waiter's node withdrawn");
  holder.unlock();
  waiter.async_lock_for(default_deadline, result.pusher());
  EXPECT_EQ(result.next("the lock once free"), std::error_code{});
  EXPECT_TRUE(waiter.is_held());
  waiter.unlock();
}

TEST_F(mutex_test, WaiterWhoseNodeVanishesQueuesAgain) {
  mutex holder{*admin_, path("lock")};
  mutex waiter{*other_, path("lock")};
  holder.lock();
  auto acquired = waiter.async_lock(asio::use_future);
  await_children(path("lock"), 2, "the waiter queued");
  for (const auto& child : admin_->get_children(path("lock")))
    if (path("lock/" + child) != holder.lock_node()) admin_->remove(path("lock/" + child));
  // The waiter finds out when its predecessor goes (or at once, if the node
  // went before it had looked at the queue) and queues again.
  holder.unlock();
  await(std::move(acquired), "the lock after queueing again");
  EXPECT_TRUE(waiter.is_held());
  EXPECT_EQ(admin_->get_children(path("lock")),
            std::vector<std::string>{waiter.lock_node().substr(path("lock/").size())})
      << "the waiter left a node behind";
  waiter.unlock();
}

TEST_F(mutex_test, GuardedMultiFailsWithoutTheLock) {
  admin_->create(path("data"), "x");
  mutex lock{*admin_, path("lock")};
  std::error_code ec;
  try {
    await(lock.async_guarded_multi({op::set_data{path("data"), "y"}}, asio::use_future),
          "guarded write without the lock");
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  EXPECT_EQ(ec, error::no_node);
  lock.lock();
  // Someone deletes our node behind our back: the guarded write must not land.
  admin_->remove(lock.lock_node());
  try {
    await(lock.async_guarded_multi({op::set_data{path("data"), "z"}}, asio::use_future),
          "guarded write after the node went");
    ec = {};
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  EXPECT_EQ(ec, error::no_node);
  EXPECT_EQ(admin_->get_data(path("data")).data, "x");
  lock.unlock();
}

}  // namespace
}  // namespace zkpp::test

namespace zkpp::test {
namespace {

TEST_F(mutex_test, BlockingLockFromTheClientsOwnCallbackFailsAtOnce) {
  recipes::mutex lock{*admin_, path("lock")};
  std::promise<std::error_code> inner;
  admin_->async_exists(root_, [&](std::error_code, std::optional<stat>) {
    try {
      lock.lock();
      inner.set_value({});
    } catch (const std::system_error& e) {
      inner.set_value(e.code());
    }
  });
  EXPECT_EQ(await(inner.get_future(), "lock() inside a client callback"),
            error::would_block_on_strand);
  EXPECT_FALSE(lock.is_held());
}

}  // namespace
}  // namespace zkpp::test
