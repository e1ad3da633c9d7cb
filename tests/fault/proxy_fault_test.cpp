// Real faults between the client and a real server: a TCP proxy stalls,
// cuts and refuses connections while the tests watch what the client does.

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/use_future.hpp>

#include <fstream>

#include "../integration/waiting.hpp"
#include "zkpp/client.hpp"
#include "zkpp/test/backend.hpp"
#include "zkpp/test/fault_proxy.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

// 6 s sessions: the read timeout (4 s) passes well before the server's expiry.
constexpr auto session_timeout = 6000ms;

class proxy_fault : public ::testing::Test {
 protected:
  void SetUp() override {
    ZKPP_REQUIRE_SERVERS();
    proxy_ = std::make_unique<fault_proxy>(first_server());
    direct_ = std::make_unique<client>(client_options{.connect_string = servers()});
    direct_->connect();
    root_ = unique_path(::testing::UnitTest::GetInstance()->current_test_info()->name());
    direct_->create(root_, "");
  }

  void TearDown() override {
    if (!direct_) return;
    zk_.reset();
    std::error_code ec;
    for (const auto& c : direct_->get_children(root_, {}, ec))
      direct_->remove(root_ + "/" + c, -1, ec);
    direct_->remove(root_, -1, ec);
  }

  static std::string first_server() {
    const auto all = servers();
    return all.substr(0, all.find(','));
  }

  // A client through the proxy whose states go to `states_`.
  client& proxied(client_options o = {}) {
    o.connect_string = proxy_->connect_string();
    o.session_timeout = session_timeout;
    if (std::getenv("ZKPP_TEST_LOG"))
      o.logger = [](log_level, std::string_view line) {
        std::fprintf(stderr, "zkpp: %.*s\n", int(line.size()), line.data());
      };
    zk_ = std::make_unique<client>(o);
    zk_->on_state(states_.pusher());
    zk_->connect();
    EXPECT_EQ(states_.next("connected"), session_state::connected);
    return *zk_;
  }

  // Skips states until `wanted` arrives (or the deadline passes).
  void expect_state(session_state wanted, std::chrono::milliseconds deadline = 30s) {
    states_.skip_until(wanted, std::string{"state "} + to_string(wanted), deadline);
  }

  std::string path(const std::string& name) const { return root_ + "/" + name; }

  std::unique_ptr<fault_proxy> proxy_;
  std::unique_ptr<client> direct_;
  std::unique_ptr<client> zk_;
  recorder<session_state> states_;
  std::string root_;
};

TEST_F(proxy_fault, silent_server_suspends_then_the_same_session_reconnects) {
  auto& zk = proxied();
  const auto id = zk.session_id();
  proxy_->stall();
  recorder<std::pair<int, std::error_code>> done;
  for (int i = 0; i < 3; ++i)
    zk.async_get_data(root_, [done, i](std::error_code ec, data_result) { done.push({i, ec}); });
  expect_state(session_state::suspended, 10s);
  for (int i = 0; i < 3; ++i) {
    const auto [index, ec] = done.next("in-flight request " + std::to_string(i) + " to fail");
    EXPECT_EQ(index, i) << "completions out of order";
    EXPECT_EQ(ec, error::connection_loss);
  }
  proxy_->pass();
  expect_state(session_state::reconnected, 10s);
  EXPECT_EQ(zk.session_id(), id);
  EXPECT_EQ(zk.get_data(root_).data, "");
  EXPECT_EQ(zk.metrics().reconnects, 1u);
  EXPECT_EQ(zk.metrics().errors_by_code.at(static_cast<int>(error::connection_loss)), 3u);
}

TEST_F(proxy_fault, watches_fire_for_changes_made_while_cut_off) {
  auto& zk = proxied();
  direct_->create(path("data"), "v0");
  direct_->create(path("parent"), "");
  direct_->create(path("tree"), "");
  event_recorder data, child, created, persistent, recursive;
  zk.get_data(path("data"), record_into(data));
  zk.get_children(path("parent"), record_into(child));
  EXPECT_FALSE(zk.exists(path("later"), record_into(created)));
  zk.add_watch(path("data"), add_watch_mode::persistent, record_into(persistent));
  zk.add_watch(path("tree"), add_watch_mode::persistent_recursive, record_into(recursive));

  proxy_->stall();
  expect_state(session_state::suspended, 10s);
  direct_->set_data(path("data"), "v1");
  direct_->create(path("parent/kid"), "");
  direct_->create(path("later"), "");
  direct_->create(path("tree/leaf"), "");
  proxy_->pass();
  expect_state(session_state::reconnected, 10s);

  EXPECT_EQ(data.next("missed NodeDataChanged").type, event_type::node_data_changed);
  EXPECT_EQ(child.next("missed NodeChildrenChanged").type, event_type::node_children_changed);
  EXPECT_EQ(created.next("missed NodeCreated").type, event_type::node_created);
  // Persistent watches are re-armed; they see changes made after the reconnect.
  direct_->set_data(path("data"), "v2");
  direct_->set_data(path("tree/leaf"), "x");
  EXPECT_EQ(persistent.next("persistent watch after reconnect").type,
            event_type::node_data_changed);
  auto e = recursive.next("recursive watch after reconnect");
  EXPECT_EQ(e.type, event_type::node_data_changed);
  EXPECT_EQ(e.path, path("tree/leaf"));
}

TEST_F(proxy_fault, timed_out_and_cancelled_requests_complete_and_late_replies_are_dropped) {
  auto& zk = proxied({.request_timeout = 300ms});
  proxy_->stall();
  auto timed = zk.async_get_data(root_, asio::use_future);
  asio::cancellation_signal cancel;
  std::promise<std::error_code> cancelled;
  zk.async_exists(root_, asio::bind_cancellation_slot(cancel.slot(),
                                                      [&](std::error_code ec, std::optional<stat>) {
                                                        cancelled.set_value(ec);
                                                      }));
  cancel.emit(asio::cancellation_type::terminal);
  EXPECT_EQ(await(cancelled.get_future(), "cancelled exists"), asio::error::operation_aborted);
  try {
    await(std::move(timed), "timed-out get_data");
    ADD_FAILURE() << "expected timed_out";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), error::operation_timeout);
  }
  proxy_->pass();
  // The late replies for both arrive first and are dropped; this one matches.
  EXPECT_EQ(await(zk.async_sync(root_, asio::use_future), "sync after the stall"), root_);
}

// The most a TCP socket's send buffer may grow to here (tcp_wmem's maximum).
std::size_t max_send_buffer() {
  std::ifstream in{"/proc/sys/net/ipv4/tcp_wmem"};
  std::size_t min = 0, initial = 0, max = 0;
  if (!(in >> min >> initial >> max)) return 16 * 1024 * 1024;
  return max;
}

// Requests made from the test's thread are written by that thread while the
// client's strand is idle. Once the proxy stops reading, such a write can only
// be partial: the rest must go out, whole and before any later request, when
// the proxy reads again.
TEST_F(proxy_fault, requests_written_in_part_by_the_calling_thread_arrive_whole_and_in_order) {
  auto& zk = proxied();
  const auto node = path("big");
  zk.create(node, "");
  constexpr std::size_t value_size = 512 * 1024;
  // More than the client's send buffer and the proxy's receive buffer hold.
  const int rounds = static_cast<int>((max_send_buffer() + 2 * 1024 * 1024) / value_size + 1);
  proxy_->stop_reading_clients();
  recorder<int> done;
  for (int i = 0; i < rounds; ++i)
    zk.async_set_data(
        node, std::string(value_size, static_cast<char>('a' + i % 26)), i,
        [done, i](std::error_code ec, stat s) { done.push(ec || s.version != i + 1 ? -1 : i); });
  proxy_->pass();
  for (int i = 0; i < rounds; ++i) ASSERT_EQ(done.next("set " + std::to_string(i)), i);
  const auto last = zk.get_data(node);
  EXPECT_EQ(last.stat.version, rounds);
  EXPECT_EQ(last.data, std::string(value_size, static_cast<char>('a' + (rounds - 1) % 26)));
}

TEST_F(proxy_fault, a_reply_cut_mid_frame_is_a_lost_connection_not_a_corrupt_reply) {
  auto& zk = proxied();
  const auto id = zk.session_id();
  direct_->create(path("big"), std::string(64 * 1024, 'b'));
  proxy_->cut_next_reply_mid_frame();
  std::error_code ec;
  zk.get_data(path("big"), {}, ec);
  EXPECT_EQ(ec, error::connection_loss);
  expect_state(session_state::reconnected, 10s);
  EXPECT_EQ(zk.session_id(), id);
  EXPECT_EQ(zk.get_data(path("big")).data.size(), 64u * 1024);
}

TEST_F(proxy_fault, refused_connections_fail_the_first_connect) {
  proxy_->refuse(true);
  client c{{.connect_string = proxy_->connect_string(), .session_timeout = session_timeout}};
  std::error_code ec;
  c.connect(ec);
  EXPECT_EQ(ec, error::no_server_reachable);
  EXPECT_GE(proxy_->accepted(), 1u);
}

TEST_F(proxy_fault, expiry_loses_the_session_and_its_ephemerals) {
  auto& zk = proxied();
  zk.create(path("eph"), "", {.mode = create_mode::ephemeral});
  event_recorder gone;
  ASSERT_TRUE(direct_->exists(path("eph"), record_into(gone)));
  proxy_->stall();
  expect_state(session_state::suspended, 10s);
  expect_state(session_state::lost, 15s);  // a whole session timeout suspended
  EXPECT_EQ(gone.next("the server to expire the session and delete its ephemeral", 30s).type,
            event_type::node_deleted);
  proxy_->pass();
  expect_state(session_state::lost, 15s);  // now the server said so
  std::error_code ec;
  zk.get_data(root_, {}, ec);
  EXPECT_EQ(ec, error::session_expired);
  EXPECT_EQ(zk.metrics().expirations, 1u);
}

TEST_F(proxy_fault, new_session_policy_starts_over_after_expiry) {
  auto& zk = proxied({.on_expiry = expiry_policy::new_session});
  const auto old_id = zk.session_id();
  event_recorder gone;
  zk.create(path("eph"), "", {.mode = create_mode::ephemeral});
  ASSERT_TRUE(direct_->exists(path("eph"), record_into(gone)));
  proxy_->stall();
  expect_state(session_state::suspended, 10s);
  gone.next("the server to expire the session", 30s);
  proxy_->pass();
  expect_state(session_state::connected, 15s);
  EXPECT_NE(zk.session_id(), old_id);
  EXPECT_EQ(zk.get_data(root_).data, "");
}

}  // namespace
}  // namespace zkpp::test
