// The distributed queue: Curator's layout, FIFO order, exactly-once delivery
// among many producers and consumers, timeouts and cancellation, and claims
// that outlive a consumer whose session ends.

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>

#include <map>
#include <mutex>
#include <thread>

#include "recipe_fixture.hpp"
#include "zkpp/recipes/distributed_queue.hpp"
#include "zkpp/test/fault_proxy.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::distributed_queue;

// 6 s sessions for consumers that die: the server expires them soon.
constexpr auto short_session = 6000ms;

class queue_test : public recipe_test {
 protected:
  std::unique_ptr<client> short_session_client(const std::string& connect_string) {
    auto c = std::make_unique<client>(
        client_options{.connect_string = connect_string, .session_timeout = short_session});
    await(c->async_connect(asio::use_future), "connect to " + connect_string);
    return c;
  }

  // Another consumer claims and completes `data` once the first one's session is gone.
  void expect_taken_by_another(const std::string& data) {
    auto other_zk = connect_client();
    distributed_queue other{*other_zk, path("q")};
    auto taken = other.claim(default_deadline + short_session);
    ASSERT_TRUE(taken) << "the item left to others";
    EXPECT_EQ(taken->data(), data);
    taken->complete();
  }

  // The items still queued. The queue node is a container, which the server
  // may reap as soon as it is empty: a missing queue holds nothing.
  std::vector<std::string> items_left() {
    std::error_code ec;
    auto items = admin_->get_children(path("q"), {}, ec);
    if (ec == error::no_node) return {};
    if (ec) throw std::system_error(ec, "get_children " + path("q"));
    return items;
  }
};

TEST_F(queue_test, ItemsArePersistentSequentialQueueChildrenHoldingTheBytes) {
  distributed_queue q{*admin_, path("q")};
  const std::string bytes{"\0\x01payload", 9};
  const auto created = q.put(bytes);
  const auto children = admin_->get_children(path("q"));
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(created, path("q/" + children[0]));
  EXPECT_TRUE(children[0].starts_with("queue-")) << children[0];
  EXPECT_EQ(children[0].size(), std::string{"queue-"}.size() + 10);
  const auto [data, stat] = admin_->get_data(created);
  EXPECT_EQ(data, bytes);
  EXPECT_EQ(stat.ephemeral_owner, 0);
}

TEST_F(queue_test, SingleProducerAndConsumerSeeFifoOrder) {
  auto consumer_zk = connect_client();
  distributed_queue producer{*admin_, path("q")};
  distributed_queue consumer{*consumer_zk, path("q")};
  for (int i = 0; i < 20; ++i) producer.put("item-" + std::to_string(i));
  for (int i = 0; i < 20; ++i) {
    const auto item = consumer.take(default_deadline);
    ASSERT_TRUE(item) << "item " << i;
    EXPECT_EQ(*item, "item-" + std::to_string(i));
  }
  EXPECT_TRUE(items_left().empty());
}

TEST_F(queue_test, WaitingTakeGetsTheNextPutWithoutPolling) {
  auto consumer_zk = connect_client();
  distributed_queue consumer{*consumer_zk, path("q")};
  auto first = consumer.async_take(asio::use_future);
  auto second = consumer.async_take(asio::use_future);
  distributed_queue producer{*admin_, path("q")};
  producer.put("a");
  producer.put("b");
  EXPECT_EQ(await(std::move(first), "the first take"), "a");
  EXPECT_EQ(await(std::move(second), "the second take"), "b");
}

TEST_F(queue_test, TakeTimesOutOnAnEmptyQueueAndCanBeCancelled) {
  distributed_queue q{*admin_, path("q")};
  EXPECT_FALSE(q.take(200ms));
  EXPECT_FALSE(q.claim(200ms));

  asio::cancellation_signal cancel;
  auto pending = q.async_take(asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
  cancel.emit(asio::cancellation_type::terminal);
  try {
    await(std::move(pending), "the cancelled take");
    ADD_FAILURE() << "a cancelled take on an empty queue took something";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), asio::error::operation_aborted);
  }
  // Nothing was lost to the timed-out or cancelled takes.
  q.put("x");
  EXPECT_EQ(q.take(default_deadline), "x");
}

TEST_F(queue_test, ManyProducersAndConsumersDeliverEveryItemExactlyOnce) {
  constexpr int producers = 4, consumers = 4, per_producer = 50;
  std::vector<std::unique_ptr<client>> producer_zk, consumer_zk;
  for (int i = 0; i < producers; ++i) producer_zk.push_back(connect_client());
  for (int i = 0; i < consumers; ++i) consumer_zk.push_back(connect_client());

  // What each consumer took, in its order: (producer, index).
  std::vector<std::vector<std::pair<int, int>>> taken(consumers);
  std::vector<std::string> failures(consumers);
  std::vector<std::thread> threads;
  for (int c = 0; c < consumers; ++c)
    threads.emplace_back([&, c] {
      distributed_queue q{*consumer_zk[c], path("q")};
      try {
        for (;;) {
          const auto item = q.take(default_deadline);
          if (!item) {
            failures[c] = "take timed out";
            return;
          }
          if (*item == "stop") return;
          const auto colon = item->find(':');
          taken[c].emplace_back(std::stoi(item->substr(0, colon)),
                                std::stoi(item->substr(colon + 1)));
        }
      } catch (const std::exception& e) {
        failures[c] = e.what();
      }
    });
  std::vector<std::thread> puts;
  for (int p = 0; p < producers; ++p)
    puts.emplace_back([&, p] {
      distributed_queue q{*producer_zk[p], path("q")};
      for (int i = 0; i < per_producer; ++i) q.put(std::to_string(p) + ":" + std::to_string(i));
    });
  for (auto& t : puts) t.join();
  // Behind every item (FIFO): one stop marker per consumer.
  distributed_queue q{*admin_, path("q")};
  for (int c = 0; c < consumers; ++c) q.put("stop");
  for (auto& t : threads) t.join();

  for (const auto& f : failures) EXPECT_EQ(f, "");
  std::map<std::pair<int, int>, int> deliveries;
  for (int c = 0; c < consumers; ++c) {
    std::map<int, int> last;  // per producer, the last index this consumer took
    for (const auto& [p, i] : taken[c]) {
      ++deliveries[{p, i}];
      const auto it = last.find(p);
      if (it != last.end()) {
        EXPECT_GT(i, it->second) << "consumer " << c << " took producer " << p << "'s items "
                                 << it->second << " and then " << i;
      }
      last[p] = i;
    }
  }
  EXPECT_EQ(deliveries.size(), static_cast<std::size_t>(producers * per_producer));
  for (const auto& [item, n] : deliveries)
    EXPECT_EQ(n, 1) << "item " << item.first << ":" << item.second << " delivered " << n
                    << " times";
  EXPECT_TRUE(items_left().empty());
}

TEST_F(queue_test, TakeWithRemovesTheItemOnlyAfterProcessing) {
  distributed_queue q{*admin_, path("q")};
  q.put("job");
  EXPECT_THROW(
      q.take_with([](const std::string&) { throw std::runtime_error("crash"); }, default_deadline),
      std::runtime_error);
  await_children(path("q-locks"), 0, "the marker of the failed processing gone");
  ASSERT_EQ(admin_->get_children(path("q")).size(), 1u) << "the item given back";

  std::string seen;
  EXPECT_TRUE(q.take_with([&](const std::string& data) { seen = data; }, default_deadline));
  EXPECT_EQ(seen, "job");
  EXPECT_TRUE(items_left().empty());
  await_children(path("q-locks"), 0, "the marker removed with the item");
}

TEST_F(queue_test, ClaimedItemsAreSkippedByOtherConsumers) {
  auto other_zk = connect_client();
  distributed_queue mine{*admin_, path("q")};
  distributed_queue theirs{*other_zk, path("q")};
  mine.put("first");
  mine.put("second");
  auto first = mine.claim(default_deadline);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data(), "first");
  auto second = theirs.claim(default_deadline);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->data(), "second");
  second->complete();
  first->complete();
  EXPECT_TRUE(items_left().empty());
}

TEST_F(queue_test, ItemClaimedByADestroyedConsumerGoesToAnotherAfterItsSessionExpires) {
  distributed_queue producer{*admin_, path("q")};
  producer.put("job");
  auto dying_zk = short_session_client(servers());
  std::optional<recipes::queue_claim> held;
  {
    distributed_queue dying{*dying_zk, path("q")};
    held = dying.claim(default_deadline);
    ASSERT_TRUE(held);
    EXPECT_EQ(held->data(), "job");
  }
  // Gone without processing or closing: the session lingers, then expires.
  dying_zk.reset();

  expect_taken_by_another("job");
  EXPECT_TRUE(items_left().empty());
  held.reset();  // its client is gone: nothing to do
}

TEST_F(queue_test, ConsumerWhoseSessionExpiresMidItemLeavesItToAnother) {
  fault_proxy proxy{servers()};
  auto stalled_zk = short_session_client(proxy.connect_string());
  recorder<session_state> states;
  stalled_zk->on_state(states.pusher());
  distributed_queue stalled{*stalled_zk, path("q")};
  distributed_queue producer{*admin_, path("q")};
  producer.put("job");
  auto held = stalled.claim(default_deadline);
  ASSERT_TRUE(held);

  proxy.stall();
  states.skip_until(session_state::lost, "the stalled consumer's session lost", 30s);
  expect_taken_by_another("job");

  proxy.pass();
  try {
    held->complete();
    ADD_FAILURE() << "the expired consumer completed an item it no longer held";
  } catch (const std::system_error& e) {
    EXPECT_TRUE(e.code() == error::session_expired || e.code() == error::connection_loss)
        << e.code().message();
  }
  EXPECT_TRUE(items_left().empty());
}

}  // namespace
}  // namespace zkpp::test
