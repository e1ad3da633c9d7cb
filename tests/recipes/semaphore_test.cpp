#include "zkpp/recipes/semaphore.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>

#include <condition_variable>
#include <mutex>
#include <regex>
#include <thread>

#include "recipe_fixture.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::lease;
using recipes::semaphore;

using semaphore_test = contender_test;

TEST_F(semaphore_test, NeverMoreThanMaxLeasesHeldAtOnce) {
  constexpr int clients = 8;
  constexpr int rounds = 3;
  constexpr int max_leases = 3;
  constexpr int total = clients * rounds;
  std::mutex m;
  std::condition_variable cv;
  int holders = 0;
  int most = 0;
  int granted = 0;
  int fills = 0;     // times the holders reached max_leases
  int finished = 0;  // clients done with their rounds
  failure_log fail;
  std::vector<std::unique_ptr<client>> sessions;
  for (int i = 0; i < clients; ++i) sessions.push_back(connect_client());
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      struct done_guard {
        ~done_guard() {
          std::lock_guard lock{m};
          ++finished;
          cv.notify_all();
        }
        std::mutex& m;
        std::condition_variable& cv;
        int& finished;
      } done{m, cv, finished};
      try {
        semaphore sem{*sessions[i], path("sem"), max_leases};
        for (int r = 0; r < rounds; ++r) {
          auto lease = sem.try_acquire_for(default_deadline);
          if (!lease) return fail("no lease in time");
          std::unique_lock lock{m};
          const int before = fills;
          most = std::max(most, ++holders);
          ++granted;
          if (holders == max_leases) ++fills;
          cv.notify_all();
          // Hold until the semaphore has been full meanwhile (a free slot
          // gets taken while a client that holds nothing still wants one),
          // or no such client is left.
          if (!cv.wait_for(lock, default_deadline,
                           [&] { return fills > before || clients - finished - holders == 0; }))
            fail("the semaphore never filled up");
          --holders;  // before the node goes
          lock.unlock();
          lease->release();
        }
      } catch (const std::exception& e) {
        fail(e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fail.first(), "");
  EXPECT_EQ(granted, total);
  EXPECT_EQ(most, max_leases);
  await_children(path("sem/leases"), 0, "every lease node deleted on release");
  await_children(path("sem/locks"), 0, "every internal lock node deleted");
}

TEST_F(semaphore_test, AFourthWaitsUntilOneOfThreeIsReleased) {
  std::vector<std::unique_ptr<client>> sessions;
  std::vector<std::unique_ptr<semaphore>> sems;
  for (int i = 0; i < 4; ++i) {
    sessions.push_back(connect_client());
    sems.push_back(std::make_unique<semaphore>(*sessions[i], path("sem"), 3));
  }
  std::vector<lease> held;
  for (int i = 0; i < 3; ++i) held.push_back(sems[i]->acquire());  // three at once
  auto fourth = sems[3]->async_acquire(asio::use_future);
  // The fourth waits with its lease node made, holding the internal lock.
  await_children(path("sem/leases"), 4, "the fourth's lease node");
  await_children(path("sem/locks"), 1, "the fourth holding the internal lock");
  EXPECT_FALSE(semaphore(*other_, path("sem"), 3).try_acquire_for(200ms));
  held.front().release();
  const auto got = await(std::move(fourth), "the fourth lease after a release");
  EXPECT_TRUE(got);
  await_children(path("sem/leases"), 3, "three leases");
  await_children(path("sem/locks"), 0, "the internal lock released");
}

TEST_F(semaphore_test, LayoutFollowsCurator) {
  semaphore sem{*admin_, path("sem"), 2, {.data = "worker-1"}};
  auto mine = sem.acquire();
  const std::string uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  EXPECT_TRUE(std::regex_match(mine.node(),
                               std::regex{path("sem/leases") + "/_c_" + uuid + "-lease-[0-9]{10}"}))
      << mine.node();
  const auto st = admin_->exists(mine.node());
  ASSERT_TRUE(st);
  EXPECT_EQ(st->ephemeral_owner, admin_->session_id());
  EXPECT_EQ(admin_->get_data(mine.node()).data, "worker-1");
  auto children = admin_->get_children(path("sem"));
  std::sort(children.begin(), children.end());
  EXPECT_EQ(children, (std::vector<std::string>{"leases", "locks"}));
  EXPECT_EQ(admin_->exists(path("sem/leases"))->ephemeral_owner, 0);

  // While a contender waits, it holds the internal lock: `_c_<uuid>-lock-<seq>`.
  auto full = sem.acquire();
  semaphore waiting{*other_, path("sem"), 2};
  recorder<std::error_code> result;
  asio::cancellation_signal cancel;
  waiting.async_acquire(asio::bind_cancellation_slot(
      cancel.slot(), [result](std::error_code ec, lease) { result.push(ec); }));
  await_children(path("sem/locks"), 1, "the waiter's internal lock node");
  const auto lock_node = admin_->get_children(path("sem/locks")).front();
  EXPECT_TRUE(std::regex_match(lock_node, std::regex{"_c_" + uuid + "-lock-[0-9]{10}"}))
      << lock_node;
  cancel.emit(asio::cancellation_type::terminal);
  EXPECT_EQ(result.next("the cancelled acquisition"), asio::error::operation_aborted);
  await_children(path("sem/leases"), 2, "the cancelled lease node withdrawn");
  await_children(path("sem/locks"), 0, "the internal lock released");
}

TEST_F(semaphore_test, TryAcquireForTimesOutWhenFullAndLeavesNoNode) {
  semaphore holder{*admin_, path("sem"), 2};
  semaphore waiter{*other_, path("sem"), 2};
  auto held = holder.acquire();
  // All or none: the one free lease is given back when the second never comes.
  EXPECT_TRUE(waiter.try_acquire_for(2, 300ms).empty());
  await_children(path("sem/leases"), 1, "the timed-out lease nodes withdrawn");
  auto second = holder.acquire();
  EXPECT_FALSE(waiter.try_acquire_for(300ms));
  await_children(path("sem/leases"), 2, "the timed-out lease node withdrawn");
  await_children(path("sem/locks"), 0, "the internal lock released");
  held.release();
  EXPECT_FALSE(held);
  EXPECT_TRUE(waiter.try_acquire_for(default_deadline));
  await_children(path("sem/leases"), 1, "the waiter's lease released with its object");
}

TEST_F(semaphore_test, ClosedSessionFreesItsLeases) {
  auto holder_session = connect_client();
  semaphore holder{*holder_session, path("sem"), 2};
  auto held = holder.acquire(2);
  ASSERT_EQ(held.size(), 2u);
  semaphore waiter{*other_, path("sem"), 2};
  auto got = waiter.async_acquire(2, asio::use_future);
  await_children(path("sem/leases"), 3, "the waiter's first lease node queued");
  holder_session->close();
  auto leases = await(std::move(got), "two leases after the holder's session closed");
  EXPECT_EQ(leases.size(), 2u);
  await_children(path("sem/leases"), 2, "only the waiter's leases left");
}

TEST_F(semaphore_test, LeasesAreMovableAndReleasedOnce) {
  semaphore sem{*admin_, path("sem"), 3};
  auto several = sem.acquire(3);
  ASSERT_EQ(several.size(), 3u);
  lease moved = std::move(several[0]);
  EXPECT_FALSE(several[0]);
  EXPECT_TRUE(moved);
  moved = std::move(several[1]);  // releases the first
  await_children(path("sem/leases"), 2, "the overwritten lease released");
  several.clear();
  await_children(path("sem/leases"), 1, "the destroyed leases released");
  EXPECT_TRUE(admin_->exists(moved.node()));
  std::error_code ec;
  try {
    sem.acquire(4);
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  EXPECT_EQ(ec, error::bad_arguments);  // more than max_leases could never succeed
}

}  // namespace
}  // namespace zkpp::test
