// zkpp's queue, counters and double barrier sharing nodes with Apache Curator
// 5.4's DistributedQueue, SharedCount, DistributedAtomicLong and
// DistributedDoubleBarrier, with a Curator peer steered from here.

#include <asio/use_future.hpp>

#include <algorithm>
#include <cstdint>
#include <regex>
#include <string>
#include <system_error>
#include <vector>

#include "curator_peer_test.hpp"
#include "zkpp/recipes/atomic_long.hpp"
#include "zkpp/recipes/curator_queue_items.hpp"
#include "zkpp/recipes/distributed_queue.hpp"
#include "zkpp/recipes/double_barrier.hpp"
#include "zkpp/recipes/shared_count.hpp"

namespace zkpp::test {
namespace {

using recipes::atomic_long;
using recipes::decode_curator_items;
using recipes::distributed_queue;
using recipes::double_barrier;
using recipes::encode_curator_item;
using recipes::shared_count;
using recipes::versioned_count;

// Curator's wait for items, counts and barrier members, which run on its own threads.
constexpr std::chrono::seconds curator_deadline{60};

using curator_shared_layouts_test = curator_peer_test;

TEST_F(curator_shared_layouts_test, CuratorProducerItemsAreTakenByZkppInOrder) {
  const auto dir = path("queue");
  distributed_queue queue{*admin_, dir};
  // A take already waiting is woken by Curator's first put (child watch).
  auto first = queue.async_take(asio::use_future);
  ask("queue-producer " + dir, "queue-producer-started");
  for (int i = 1; i <= 4; ++i) ask("queue-put item-" + std::to_string(i), "queue-put");
  ask("queue-put-multi multi-1,multi-2", "queue-put");

  EXPECT_EQ(decode_curator_items(await(std::move(first), "the first item Curator put")),
            std::vector<std::string>{"item-1"});
  for (const auto& name : admin_->get_children(dir))
    EXPECT_TRUE(std::regex_match(name, std::regex{"queue-[0-9]{10}"})) << name;
  for (int i = 2; i <= 4; ++i) {
    const auto item = queue.take(default_deadline);
    ASSERT_TRUE(item) << "item " << i << " within the deadline";
    EXPECT_EQ(decode_curator_items(*item), std::vector<std::string>{"item-" + std::to_string(i)});
  }
  // putMulti: one node holding both items.
  const auto multi = queue.take(default_deadline);
  ASSERT_TRUE(multi) << "Curator's multi-item node within the deadline";
  EXPECT_EQ(decode_curator_items(*multi), (std::vector<std::string>{"multi-1", "multi-2"}));
  await_children(dir, 0, "the queue empty after zkpp took every item");
}

TEST_F(curator_shared_layouts_test, ZkppItemsAreConsumedByCuratorInOrder) {
  const auto dir = path("queue");
  distributed_queue queue{*admin_, dir};
  for (int i = 1; i <= 5; ++i) queue.put(encode_curator_item("item-" + std::to_string(i)));
  ask("queue-consume " + dir, "queue-consumer-started");
  for (int i = 1; i <= 5; ++i)
    EXPECT_EQ(peer_->expect_prefix("queue-item ", "Curator consuming item " + std::to_string(i),
                                   curator_deadline),
              "item-" + std::to_string(i));
  await_children(dir, 0, "the queue empty after Curator consumed every item");
  // And one put while Curator's consumer waits on its child watch.
  queue.put(encode_curator_item("late"));
  expect("queue-item late", "Curator consuming an item put while it waited", curator_deadline);
}

TEST_F(curator_shared_layouts_test, SharedCountValuesVersionsAndConflictsAgreeBothWays) {
  const auto node = path("count");
  ask("count-start " + node + " 0", "count-started");
  auto zk = connect_client();
  shared_count count{*zk, node, 0};
  recorder<versioned_count> told;
  count.add_listener(told.pusher());
  count.start();
  EXPECT_EQ(told.next("zkpp's listener told the current value"), (versioned_count{0, 0}));

  ask("count-set 7", "count-set");
  told.skip_until({7, 1}, "zkpp's listener told the value Curator set");
  EXPECT_EQ(count.get(), (versioned_count{7, 1}));

  EXPECT_TRUE(count.try_set({7, 1}, 8));
  expect("count-changed 8", "Curator's listener told the value zkpp set");
  EXPECT_EQ(curator_answer("count-get", "count "), "8 2");

  // zkpp's compare-and-set on a version Curator has moved past fails.
  ask("count-set 9", "count-set");
  EXPECT_FALSE(count.try_set({8, 2}, 10)) << "zkpp set on a stale version";
  EXPECT_EQ(count.get(), (versioned_count{9, 3}));
  told.skip_until({9, 3}, "zkpp's listener told Curator's second value");

  // And Curator's on a version zkpp has moved past.
  EXPECT_EQ(curator_answer("count-get", "count "), "9 3");
  count.set(11);
  ask("count-try-set 12", "try-set false");
  EXPECT_EQ(count.get(), (versioned_count{11, 4}));
  EXPECT_EQ(admin_->get_data(node).data, std::string("\0\0\0\x0b", 4)) << "4-byte big-endian";
}

TEST_F(curator_shared_layouts_test, AtomicLongIncrementsFromBothSidesAddUpExactly) {
  constexpr int per_side = 50;
  const auto node = path("total");
  peer_->send("long-increment " + node + " " + std::to_string(per_side));
  auto zk = connect_client();
  atomic_long total{*zk, node};
  for (int i = 0; i < per_side; ++i) {
    // Contention with Curator makes single tries fail: try again, boundedly.
    int tries = 0;
    while (!total.increment().succeeded) ASSERT_LT(++tries, 100) << "zkpp increment " << i;
  }
  expect("long-incremented " + std::to_string(per_side), "Curator's increments", curator_deadline);
  EXPECT_EQ(total.get().post_value, 2 * per_side);
  EXPECT_EQ(curator_answer("long-get " + node, "long "), std::to_string(2 * per_side));
  EXPECT_EQ(admin_->get_data(node).data, std::string("\0\0\0\0\0\0\0\x64", 8))
      << "8-byte big-endian";
}

// `marker` first, then both zkpp members' "z1 <step>" and "z2 <step>", in any order.
void expect_after_marker(const recorder<std::string>& events, const std::string& marker,
                         const std::string& step) {
  EXPECT_EQ(events.next("the marker " + marker), marker)
      << "a zkpp member's " << step << " came before: " << marker;
  std::vector<std::string> done{events.next("a zkpp member's " + step),
                                events.next("the other zkpp member's " + step)};
  std::sort(done.begin(), done.end());
  EXPECT_EQ(done, (std::vector<std::string>{"z1 " + step, "z2 " + step}));
}

// Two Curator members (c1, c2) and two zkpp members (z1, z2) of one double
// barrier of four. Order is checked on event streams: each side's "entered"
// must come after the marker pushed just before the fourth member enters.
TEST_F(curator_shared_layouts_test, DoubleBarrierOfCuratorAndZkppMembersEntersTogether) {
  const auto dir = path("round");
  auto zk1 = connect_client();
  auto zk2 = connect_client();
  double_barrier z1{*zk1, dir, 4};
  double_barrier z2{*zk2, dir, 4};
  recorder<std::string> events;  // the test's markers and zkpp's completions, in order
  const auto report = [events](std::string what) {
    return
        [events, what](std::error_code ec) { events.push(ec ? what + ": " + ec.message() : what); };
  };

  peer_->send("dbarrier-enter c1 " + dir + " 4");
  peer_->send("dbarrier-enter c2 " + dir + " 4");
  await_children(dir, 2, "both Curator members' nodes");
  z1.async_enter(report("z1 entered"));
  await_children(dir, 3, "three members' nodes");
  // Everything Curator printed before "pong" came before z2 started entering.
  peer_->send("ping");
  EXPECT_EQ(peer_->next_matching(
                [](const std::string& l) { return l == "pong" || l.starts_with("dbarrier-"); },
                "the Curator peer's pong", default_deadline),
            "pong")
      << "a Curator member entered with three of four members present";
  events.push("z2 enters");
  z2.async_enter(report("z2 entered"));
  expect_after_marker(events, "z2 enters", "entered");
  expect("dbarrier-entered c1", "Curator member c1 entering", curator_deadline);
  expect("dbarrier-entered c2", "Curator member c2 entering", curator_deadline);

  // Leaving: no zkpp member returns before the last member (c2) starts
  // leaving. Curator's own leave may return earlier (when the member still
  // in is the lowest), so only its return is checked.
  z1.async_leave(report("z1 left"));
  z2.async_leave(report("z2 left"));
  peer_->send("dbarrier-leave c1");
  events.push("c2 leaves");
  peer_->send("dbarrier-leave c2");
  expect_after_marker(events, "c2 leaves", "left");
  expect("dbarrier-left c1", "Curator member c1 leaving", curator_deadline);
  expect("dbarrier-left c2", "Curator member c2 leaving", curator_deadline);
  await_children(dir, 0, "no member nor ready node left");
}

}  // namespace
}  // namespace zkpp::test
