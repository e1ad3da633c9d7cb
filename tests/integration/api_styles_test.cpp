#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <atomic>
#include <thread>

#include "client_fixture.hpp"

namespace zkpp::test {
namespace {

using api = client_test;

TEST_F(api, callbacks_receive_error_and_result) {
  zk().create(path("cb"), "v");
  std::promise<std::pair<std::error_code, std::string>> done;
  zk().async_get_data(path("cb"), [&](std::error_code ec, data_result r) {
    done.set_value({ec, r.data});
  });
  const auto [ec, data] = await(done.get_future(), "callback completion");
  EXPECT_FALSE(ec);
  EXPECT_EQ(data, "v");
}

TEST_F(api, futures_carry_errors_as_system_error) {
  auto f = zk().async_get_data(path("missing"), asio::use_future);
  try {
    await(std::move(f), "get_data future");
    ADD_FAILURE() << "expected no_node";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), error::no_node);
  }
}

TEST_F(api, coroutines_on_a_user_io_context) {
  asio::io_context io;
  client c{io.get_executor(), {.connect_string = servers()}};
  std::promise<std::string> result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await c.async_connect(asio::use_awaitable);
        const auto p = co_await c.async_create(path("co"), "awaited", asio::use_awaitable);
        const auto r = co_await c.async_get_data(p, asio::use_awaitable);
        co_await c.async_close(asio::use_awaitable);
        result.set_value(r.data);
      },
      [&](std::exception_ptr e) {
        if (e) result.set_exception(e);
      });
  std::thread runner{[&] { io.run_for(default_deadline); }};
  EXPECT_EQ(await(result.get_future(), "coroutine to finish"), "awaited");
  runner.join();
}

TEST_F(api, deferred_operations_start_when_invoked) {
  auto op = zk().async_create(path("deferred"), "", asio::experimental::deferred);
  EXPECT_FALSE(zk().exists(path("deferred")));
  std::promise<std::string> created;
  std::move(op)([&](std::error_code ec, std::string p) { created.set_value(ec ? "" : p); });
  EXPECT_EQ(await(created.get_future(), "deferred create"), path("deferred"));
}

TEST_F(api, pipelined_requests_complete_in_submission_order) {
  constexpr int count = 500;
  recorder<int> order;
  for (int i = 0; i < count; ++i)
    zk().async_create(path("n-"), "", {.mode = create_mode::persistent_sequential},
                      [order, i](std::error_code ec, std::string) { order.push(ec ? -1 : i); });
  for (int i = 0; i < count; ++i) ASSERT_EQ(order.next("completion " + std::to_string(i)), i);
  EXPECT_EQ(zk().get_children(root_).size(), static_cast<std::size_t>(count));
}

// A request made outside the client's strand while it is idle is written by
// the calling thread; what the socket does not take at once (a big value) is
// left to the strand, which must write it before anything submitted later.
TEST_F(api, big_requests_from_a_caller_thread_arrive_whole_and_in_order) {
  constexpr int rounds = 12;
  const auto node = path("big");
  zk().create(node, "");
  recorder<int> order;
  for (int i = 0; i < rounds; ++i) {
    const std::string value(512 * 1024, static_cast<char>('a' + i));
    zk().async_set_data(node, value, -1, [order, i](std::error_code ec, stat s) {
      order.push(ec || s.version != i + 1 ? -1 : i);
    });
    zk().async_get_data(node, [order, i, value](std::error_code ec, data_result r) {
      order.push(ec || r.data != value ? -1 : i);
    });
    if (i % 4 == 3) {
      EXPECT_EQ(zk().get_data(node).data, value) << "blocking get after set " << i;
    }
  }
  for (int i = 0; i < rounds; ++i) {
    ASSERT_EQ(order.next("set " + std::to_string(i)), i);
    ASSERT_EQ(order.next("get after set " + std::to_string(i)), i);
  }
}

TEST_F(api, many_threads_may_call_at_once) {
  constexpr int threads = 4, per_thread = 50;
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        std::error_code ec;
        zk().create(path("t" + std::to_string(t) + "-" + std::to_string(i)), "", {}, ec);
        if (ec) ++failures;
      }
    });
  for (auto& w : workers) w.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(zk().get_children(root_).size(), static_cast<std::size_t>(threads * per_thread));
}

TEST_F(api, sync_call_from_the_client_strand_fails_at_once) {
  std::promise<std::error_code> inner;
  zk().async_exists(root_, [&](std::error_code, std::optional<stat>) {
    std::error_code ec;
    zk().get_data(root_, {}, ec);
    inner.set_value(ec);
  });
  EXPECT_EQ(await(inner.get_future(), "sync call inside callback"), error::would_block_on_strand);
}

TEST_F(api, destroying_a_client_completes_everything_in_flight) {
  constexpr int count = 200;
  std::atomic<int> completed{0}, aborted{0};
  {
    auto c = connect_client();
    for (int i = 0; i < count; ++i)
      c->async_get_data(root_, [&](std::error_code ec, data_result) {
        if (ec == asio::error::operation_aborted)
          ++aborted;
        else
          EXPECT_FALSE(ec) << ec.message();
        ++completed;
      });
  }
  EXPECT_EQ(completed, count);
}

TEST_F(api, close_removes_ephemerals_at_once) {
  auto c = connect_client();
  c->create(path("eph"), "", {.mode = create_mode::ephemeral});
  recorder<session_state> states;
  c->on_state(states.pusher());
  c->close();
  EXPECT_EQ(states.next("closed state"), session_state::closed);
  EXPECT_FALSE(zk().exists(path("eph")));
  std::error_code ec;
  c->get_data(root_, {}, ec);
  EXPECT_EQ(ec, error::client_closed);
}

TEST_F(api, state_listener_sees_connected) {
  client c{{.connect_string = servers()}};
  recorder<session_state> states;
  c.on_state(states.pusher());
  c.connect();
  EXPECT_EQ(states.next("connected state"), session_state::connected);
}

TEST_F(api, unsubscribed_state_listener_is_not_told) {
  client c{{.connect_string = servers()}};
  recorder<session_state> kept;
  recorder<session_state> removed;
  c.on_state(kept.pusher());
  auto subscription = c.on_state(removed.pusher());
  subscription.unsubscribe();
  subscription.unsubscribe();  // idempotent
  // Removed from inside its own first call: told once only.
  recorder<session_state> once;
  auto self_removing = std::make_shared<state_subscription>();
  *self_removing = c.on_state([once, self_removing](session_state s) {
    once.push(s);
    self_removing->unsubscribe();
  });
  c.connect();
  EXPECT_EQ(kept.next("connected state"), session_state::connected);
  c.close();
  EXPECT_EQ(kept.next("closed state"), session_state::closed);
  EXPECT_EQ(once.next("the self-removing listener's one call"), session_state::connected);
  EXPECT_EQ(once.size(), 0u);
  EXPECT_EQ(removed.size(), 0u);
}

TEST(connect_failure, unreachable_servers_fail_the_connect) {
  // Port 1 on loopback: nothing listens there, the connection is refused.
  client c{
      {.connect_string = "127.0.0.1:1,127.0.0.1:1", .session_timeout = std::chrono::seconds{4}}};
  std::error_code ec;
  c.connect(ec);
  EXPECT_EQ(ec, error::no_server_reachable);
}

TEST(connect_failure, malformed_connect_string_throws) {
  EXPECT_THROW(client({.connect_string = "no-port"}), std::system_error);
  EXPECT_THROW(client({.connect_string = "h:1/bad//chroot"}), std::system_error);
}

}  // namespace
}  // namespace zkpp::test

namespace zkpp::test {
namespace {

TEST_F(api, metrics_count_requests_errors_watches_and_latency) {
  auto c = connect_client();
  for (int i = 0; i < 3; ++i) c->create(path("m" + std::to_string(i)), "");
  std::error_code ec;
  c->get_data(path("absent"), {}, ec);
  event_recorder events;
  c->get_data(path("m0"), record_into(events));
  c->add_watch(path("m1"), add_watch_mode::persistent, record_into(events));
  const auto m = c->metrics();
  EXPECT_EQ(m.requests_by_op.at("create"), 3u);
  EXPECT_EQ(m.requests_by_op.at("get_data"), 2u);
  EXPECT_EQ(m.errors_by_code.at(static_cast<int>(error::no_node)), 1u);
  EXPECT_EQ(m.watches, 2u);
  EXPECT_EQ(m.in_flight, 0u);
  std::uint64_t replies = 0;
  for (const auto& [bound, n] : m.latency_us) replies += n;
  EXPECT_EQ(replies, 6u);
  EXPECT_EQ(m.reconnects, 0u);
}

}  // namespace
}  // namespace zkpp::test
