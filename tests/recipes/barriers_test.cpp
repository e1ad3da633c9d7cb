// barrier and double_barrier: waiters held until the barrier goes, members
// entering and leaving together, and timed-out members withdrawing.

#include <algorithm>
#include <mutex>
#include <thread>

#include "recipe_fixture.hpp"
#include "zkpp/recipes/barrier.hpp"
#include "zkpp/recipes/double_barrier.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::barrier;
using recipes::double_barrier;

using barriers_test = recipe_test;

// What the members did, in the order it happened.
class event_log {
 public:
  void add(const std::string& what) {
    std::lock_guard lock{m_};
    events_.push_back(what);
  }
  // Index of the n-th (1-based) event starting with `prefix`.
  std::ptrdiff_t nth(const std::string& prefix, int n) const {
    std::lock_guard lock{m_};
    for (std::size_t i = 0; i < events_.size(); ++i)
      if (events_[i].starts_with(prefix) && --n == 0) return static_cast<std::ptrdiff_t>(i);
    return -1;
  }
  // Index of the first event starting with `prefix`.
  std::ptrdiff_t first(const std::string& prefix) const { return nth(prefix, 1); }
  std::size_t count(const std::string& prefix) const {
    std::lock_guard lock{m_};
    return static_cast<std::size_t>(std::count_if(
        events_.begin(), events_.end(), [&](const auto& e) { return e.starts_with(prefix); }));
  }

 private:
  mutable std::mutex m_;
  std::vector<std::string> events_;
};

TEST_F(barriers_test, BarrierHoldsWaitersUntilItIsRemoved) {
  auto waiter_zk = connect_client();
  barrier setter{*admin_, path("gate/b")};
  barrier waiter{*waiter_zk, path("gate/b")};
  EXPECT_TRUE(waiter.wait_on_barrier(default_deadline)) << "no barrier node: no wait";
  setter.set_barrier();
  setter.set_barrier();  // already set: not an error
  EXPECT_FALSE(waiter.wait_on_barrier(200ms)) << "held while the node exists";
  auto released = waiter.async_wait_on_barrier(asio::use_future);
  EXPECT_EQ(released.wait_for(0ms), std::future_status::timeout);
  await(setter.async_remove_barrier(asio::use_future), "remove the barrier");
  await(std::move(released), "the waiter released");
  EXPECT_FALSE(admin_->exists(path("gate/b")).has_value());
  setter.remove_barrier();  // already gone: not an error
}

TEST_F(barriers_test, DoubleBarrierMembersEnterTogetherAndLeaveTogether) {
  constexpr int members = 5;
  event_log log;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < members; ++i)
    threads.emplace_back([&, i] {
      try {
        auto zk = connect_client();
        double_barrier b{*zk, path("double"), members};
        const auto me = std::to_string(i);
        log.add("arrive " + me);
        if (i % 2 == 0)
          b.enter();
        else
          await(b.async_enter(asio::use_future), "async enter");
        log.add("entered " + me);
        log.add("leaving " + me);
        if (!b.leave(default_deadline)) ++failures;
        log.add("left " + me);
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(log.count("left"), static_cast<std::size_t>(members));
  EXPECT_GT(log.first("entered"), log.nth("arrive", members))
      << "nobody passes enter before all have arrived";
  EXPECT_GT(log.first("left"), log.nth("leaving", members))
      << "nobody returns from leave before all have started leaving";
  await_children(path("double"), 0, "every member node and `ready` deleted");
}

TEST_F(barriers_test, DoubleBarrierEnterTimesOutAndWithdrawsItsNode) {
  double_barrier lonely{*admin_, path("double"), 2};
  EXPECT_FALSE(lonely.enter(300ms));
  await_children(path("double"), 0, "the timed-out member's node withdrawn");
}

TEST_F(barriers_test, DoubleBarrierLeaveTimesOutWhileAMemberStays) {
  auto other_zk = connect_client();
  double_barrier a{*admin_, path("double"), 2};
  double_barrier b{*other_zk, path("double"), 2};
  auto b_entered = b.async_enter(asio::use_future);
  EXPECT_TRUE(a.enter(default_deadline));
  await(std::move(b_entered), "b entered");
  EXPECT_FALSE(a.leave(300ms)) << "b has not started leaving";
  EXPECT_TRUE(b.leave(default_deadline)) << "alone once a withdrew";
  await_children(path("double"), 0, "every node deleted");
}

}  // namespace
}  // namespace zkpp::test
