// shared_count and atomic_long: exact totals from concurrent clients,
// compare-and-set conflicts, listeners that end on the latest value, and
// Curator's byte layout.

#include <mutex>
#include <thread>

#include "recipe_fixture.hpp"
#include "zkpp/recipes/atomic_long.hpp"
#include "zkpp/recipes/detail/node_io.hpp"
#include "zkpp/recipes/shared_count.hpp"

namespace zkpp::test {
namespace {

using recipes::atomic_long;
using recipes::shared_count;
using recipes::versioned_count;

using counters_test = recipe_test;

TEST_F(counters_test, AtomicLongIncrementsFromEightClientsAddUpExactly) {
  constexpr int clients = 8;
  constexpr int increments = 15;
  std::mutex m;
  std::vector<std::string> failures;
  std::vector<std::thread> workers;
  for (int i = 0; i < clients; ++i)
    workers.emplace_back([&] {
      auto zk = connect_client();
      atomic_long counter{*zk, path("counters/total"), {.max_tries = 50}};
      for (int n = 0; n < increments; ++n) {
        const auto v = counter.increment();
        std::lock_guard lock{m};
        if (!v.succeeded)
          failures.push_back("an increment gave up");
        else if (v.post_value != v.pre_value + 1)
          failures.push_back("post != pre + 1");
      }
    });
  for (auto& w : workers) w.join();
  for (const auto& f : failures) ADD_FAILURE() << f;

  atomic_long counter{*admin_, path("counters/total")};
  const auto v = counter.get();
  EXPECT_TRUE(v.succeeded);
  EXPECT_EQ(v.post_value, clients * increments);
  EXPECT_EQ(admin_->get_data(path("counters/total")).data, std::string("\0\0\0\0\0\0\0\x78", 8));
}

TEST_F(counters_test, AtomicLongCompareAndSetAndLayout) {
  atomic_long counter{*admin_, path("long")};
  EXPECT_EQ(counter.get().post_value, 0) << "a missing node reads 0";
  EXPECT_FALSE(admin_->exists(path("long")).has_value());
  EXPECT_FALSE(counter.compare_and_set(5, 6).succeeded);
  const auto set = counter.compare_and_set(0, 0x0102030405060708);
  EXPECT_TRUE(set.succeeded);
  EXPECT_EQ(set.pre_value, 0);
  EXPECT_EQ(admin_->get_data(path("long")).data, "\x01\x02\x03\x04\x05\x06\x07\x08");
  counter.force_set(-2);
  EXPECT_EQ(admin_->get_data(path("long")).data, "\xff\xff\xff\xff\xff\xff\xff\xfe");
  const auto added = await(counter.async_add(3, asio::use_future), "async_add");
  EXPECT_EQ(added, (recipes::atomic_value<std::int64_t>{true, -2, 1}));
  EXPECT_EQ(counter.subtract(2).post_value, -1);
}

TEST_F(counters_test, SharedCountIsCreatedWithTheSeedInCuratorsLayout) {
  shared_count count{*admin_, path("count"), 0x01020304};
  const auto first = count.get();
  EXPECT_EQ(first, (versioned_count{0x01020304, 0}));
  EXPECT_EQ(admin_->get_data(path("count")).data, "\x01\x02\x03\x04");
  count.set(-2);
  EXPECT_EQ(admin_->get_data(path("count")).data, "\xff\xff\xff\xfe");
  const auto now = await(count.async_get(asio::use_future), "async_get");
  EXPECT_EQ(now, (versioned_count{-2, 1}));
}

TEST_F(counters_test, SharedCountTrySetLosesToAnEarlierWriterAndWinsOnTheNewVersion) {
  auto other_zk = connect_client();
  shared_count mine{*admin_, path("count"), 10};
  shared_count theirs{*other_zk, path("count"), 10};
  const auto seen = mine.get();
  EXPECT_EQ(theirs.get(), seen);
  EXPECT_TRUE(theirs.try_set(seen, 11));
  EXPECT_FALSE(mine.try_set(seen, 20)) << "a stale version must lose";
  const auto fresh = mine.get();
  EXPECT_EQ(fresh, (versioned_count{11, seen.version + 1}));
  EXPECT_TRUE(await(mine.async_try_set(fresh, 12, asio::use_future), "async_try_set"));
  EXPECT_EQ(theirs.get().value, 12);
}

TEST_F(counters_test, SharedCountCompareAndSetIncrementsFromManyClientsAddUp) {
  constexpr int clients = 6;
  constexpr int increments = 10;
  std::vector<std::thread> workers;
  std::atomic<int> lost_races{0};
  for (int i = 0; i < clients; ++i)
    workers.emplace_back([&] {
      auto zk = connect_client();
      shared_count count{*zk, path("count"), 0};
      for (int n = 0; n < increments;) {
        const auto v = count.get();
        if (count.try_set(v, v.value + 1))
          ++n;
        else
          ++lost_races;
      }
    });
  for (auto& w : workers) w.join();
  shared_count count{*admin_, path("count"), 0};
  const auto v = count.get();
  EXPECT_EQ(v.value, clients * increments);
  EXPECT_EQ(v.version, clients * increments) << "one write per successful try_set";
}

TEST_F(counters_test, SharedCountListenerEndsOnTheLatestValueAfterABurst) {
  recorder<versioned_count> seen;
  shared_count watched{*admin_, path("count"), 0};
  watched.add_listener(seen.pusher());
  watched.start();
  EXPECT_EQ(seen.next("the first value"), (versioned_count{0, 0}));

  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i)
    writers.emplace_back([&, i] {
      auto zk = connect_client();
      shared_count count{*zk, path("count"), 0};
      for (int n = 1; n <= 20; ++n) count.set(i * 100 + n);
    });
  for (auto& w : writers) w.join();
  const auto [data, stat] = admin_->get_data(path("count"));
  const versioned_count last{*recipes::detail::from_big_endian<std::int32_t>(data), stat.version};
  EXPECT_EQ(last.version, 80);
  seen.skip_until(last, "the listener told the last value");
}

}  // namespace
}  // namespace zkpp::test
