#include "zkpp/recipes/leader_selector.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include "recipe_fixture.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;
using recipes::leader_selector;
using recipes::leadership;

// An io_context run by a thread of its own, for the leaders' asynchronous work.
struct io_runner {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread{[this] { io.run(); }};
  ~io_runner() {
    io.stop();
    thread.join();
  }
};

// Selectors, one session each, on one election path.
class leader_selector_test : public recipe_test {
 protected:
  leader_selector& contend(const std::string& id, recipes::leader_callback callback,
                           recipes::leader_selector_options options = {}) {
    sessions_.push_back(connect_client());
    selectors_.push_back(std::make_unique<leader_selector>(*sessions_.back(), path("election"), id,
                                                           std::move(callback), options));
    selectors_.back()->start();
    return *selectors_.back();
  }

  leader_selector& selector(const std::string& id) { return participant(selectors_, id); }

  // Called by a leader: returns once `n` contenders are queued on the
  // election (the leader included), or once its leadership ends. Holding a
  // turn until then makes the order of turns independent of how soon the
  // previous leader's requeue reaches the server.
  void await_queue_while_leading(leadership& l, std::size_t n) {
    struct wake {
      std::mutex m;
      std::condition_variable cv;
      int signals = 0;
    };
    auto w = std::make_shared<wake>();
    const auto poke = [w] {
      {
        std::lock_guard lock{w->m};
        ++w->signals;
      }
      w->cv.notify_all();
    };
    l.on_lost(poke);
    const auto deadline = std::chrono::steady_clock::now() + default_deadline;
    for (;;) {
      int seen;
      {
        std::lock_guard lock{w->m};
        seen = w->signals;
      }
      std::error_code ec;
      const auto queued = admin_->get_children(
          path("election"), [poke](const watch_event&) { poke(); }, ec);
      if (ec) throw std::system_error(ec, "get_children " + path("election"));
      if (queued.size() >= n || !l.valid()) return;
      std::unique_lock lock{w->m};
      if (!w->cv.wait_until(lock, deadline, [&] { return w->signals != seen; }))
        throw std::runtime_error("the election never had " + std::to_string(n) +
                                 " contenders queued during a turn");
    }
  }

  void TearDown() override {
    selectors_.clear();  // before their sessions
    sessions_.clear();
    recipe_test::TearDown();
  }

  io_runner runner_;  // outlives the selectors, whose callbacks use it
  asio::io_context& io_ = runner_.io;
  recorder<std::string> events_;
  std::vector<std::unique_ptr<client>> sessions_;
  std::vector<std::unique_ptr<leader_selector>> selectors_;
};

// Released once by the test; leader callbacks wait on it (with a deadline).
class gate {
 public:
  void open() { promise_.set_value(); }
  void pass() const {
    if (future_.wait_for(default_deadline) != std::future_status::ready)
      throw std::runtime_error("the gate was never opened");
  }

 private:
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

TEST_F(leader_selector_test, OneCallbackRunsAtATimeAndTurnsGoRoundInQueueOrder) {
  struct overlap {
    std::mutex m;
    int running = 0;
    int most = 0;
  };
  auto seen_running = std::make_shared<overlap>();
  auto start = std::make_shared<gate>();
  const auto ids = {"s1", "s2", "s3", "s4", "s5"};
  for (const auto* id : ids) {
    contend(id,
            [this, seen_running, turns = events_, start, id = std::string{id}](leadership& l) {
              start->pass();
              {
                std::lock_guard lock{seen_running->m};
                seen_running->most = std::max(seen_running->most, ++seen_running->running);
              }
              await_queue_while_leading(l, 5);
              l.await_loss(2ms);  // some work, so that an overlap would show
              {
                std::lock_guard lock{seen_running->m};
                --seen_running->running;
              }
              turns.push(id);
            },
            {.auto_requeue = true});
  }
  await_children(path("election"), 5, "every selector queued");
  const auto order = selectors_.front()->participants().ids;
  start->open();
  std::vector<std::string> seen;
  for (int i = 0; i < 15; ++i) seen.push_back(events_.next("turn " + std::to_string(i)));
  selectors_.clear();
  std::lock_guard lock{seen_running->m};
  EXPECT_EQ(seen_running->most, 1) << "two leader callbacks ran at once";
  ASSERT_EQ(order.size(), 5u);
  // Curator's LeaderSelector is fair: each requeues at the end of the line.
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], order[i % 5]) << "turn " << i;
}

TEST_F(leader_selector_test, LeaderWhoseCallbackReturnsHandsOverAndCanRequeue) {
  auto start = std::make_shared<gate>();
  for (const auto* id : {"a", "b", "c"}) {
    contend(id, [turns = events_, start, id = std::string{id}](leadership&) {
      start->pass();
      turns.push(id);
    });
  }
  await_children(path("election"), 3, "every selector queued");
  const auto view = selector("a").participants();
  ASSERT_EQ(view.ids.size(), 3u);
  EXPECT_EQ(view.leader, view.ids.front());
  EXPECT_TRUE(selector(view.leader).has_leadership());
  EXPECT_FALSE(selector(view.ids[1]).has_leadership());
  start->open();
  for (const auto& id : view.ids) EXPECT_EQ(events_.next("turn of " + id), id);
  await_children(path("election"), 0, "every node deleted after its turn");
  EXPECT_FALSE(selector(view.leader).has_leadership());
  EXPECT_TRUE(selector("b").requeue());
  EXPECT_EQ(events_.next("b's requeued turn"), "b");
}

TEST_F(leader_selector_test, ThrowingCallbackEndsItsTurnAndIsReported) {
  recorder<std::string> errors;
  const auto report = [errors](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      errors.push(x.what());
    }
  };
  contend("a", [](leadership&) { throw std::runtime_error("a failed while leading"); },
          {.on_callback_error = report});
  EXPECT_EQ(errors.next("a's exception"), "a failed while leading");
  contend("b", [turns = events_](leadership&) { turns.push("b"); });
  EXPECT_EQ(events_.next("b leads after a's failed turn"), "b");
  EXPECT_FALSE(selector("a").has_leadership());
}

TEST_F(leader_selector_test, CloseCancelsTheRunningCallbackAndTheNextTakesOver) {
  // The leader's work: a timer started on io_, bound to the leadership's slot.
  auto callback = [this](leadership& l) {
    asio::steady_timer timer{io_, std::chrono::hours{1}};
    std::promise<std::error_code> waited;
    asio::post(io_, [&] {
      timer.async_wait(
          asio::bind_cancellation_slot(l.cancellation_slot(io_.get_executor()),
                                       [&](std::error_code ec) { waited.set_value(ec); }));
      events_.push("armed");
    });
    const auto ec = await(waited.get_future(), "the timer cancelled");
    events_.push(ec == asio::error::operation_aborted && !l.valid() ? "cancelled" : ec.message());
  };
  auto& first = contend("first", callback);
  EXPECT_EQ(events_.next("first leads"), "armed");
  auto& second = contend("second", callback);
  await_children(path("election"), 2, "both selectors queued");
  EXPECT_TRUE(first.has_leadership());
  first.close();
  EXPECT_EQ(events_.next("first's work cancelled"), "cancelled");
  EXPECT_EQ(events_.next("second leads"), "armed");
  EXPECT_TRUE(second.has_leadership());
  EXPECT_FALSE(first.has_leadership());
  EXPECT_EQ(second.participants().ids, std::vector<std::string>{"second"});
  second.close();
  EXPECT_EQ(events_.next("second's work cancelled"), "cancelled");
}

TEST_F(leader_selector_test, CoroutineRacingItsWorkAgainstLossStopsOnClose) {
  using namespace asio::experimental::awaitable_operators;
  auto& s = contend("coro", [this](leadership& l) {
    auto lead = [&]() -> asio::awaitable<void> {
      asio::steady_timer timer{io_, std::chrono::hours{1}};
      events_.push("leading");
      const auto winner =
          co_await (timer.async_wait(asio::use_awaitable) || l.async_wait(asio::use_awaitable));
      events_.push(winner.index() == 1 ? "stopped on loss" : "timer fired");
    };
    await(asio::co_spawn(io_, lead(), asio::use_future), "the leading coroutine");
  });
  EXPECT_EQ(events_.next("the coroutine leads"), "leading");
  s.close();
  EXPECT_EQ(events_.next("the coroutine stopped"), "stopped on loss");
}

TEST_F(leader_selector_test, NodeFollowsCuratorLockNamingWithTheIdAsData) {
  auto start = std::make_shared<gate>();
  auto& s = contend("participant-9", [start](leadership&) { start->pass(); });
  await_children(path("election"), 1, "the selector's node");
  const auto children = admin_->get_children(path("election"));
  ASSERT_EQ(children.size(), 1u);
  EXPECT_TRUE(children[0].starts_with("_c_")) << children[0];
  EXPECT_NE(children[0].find("-lock-"), std::string::npos) << children[0];
  EXPECT_EQ(admin_->get_data(path("election/" + children[0])).data, "participant-9");
  EXPECT_EQ(s.participants().leader, "participant-9");
  EXPECT_FALSE(s.requeue()) << "queued again while leading";
  start->open();
  await_children(path("election"), 0, "the node deleted when the callback returned");
}

}  // namespace
}  // namespace zkpp::test
