// The scriptable faults of zkpp::server, seen by a zkpp::client: each test
// turns one fault on, shows its effect and its fault log line, and turns it
// off again; each runs over the plain port and over the secure (TLS) port.

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include <algorithm>
#include <stdexcept>

#include "../integration/waiting.hpp"
#include "fault_lines.hpp"
#include "tls_setup.hpp"
#include "zkpp/client.hpp"
#include "zkpp/server.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

enum class transport { plain, tls };

const char* name(transport t) {
  return t == transport::tls ? "tls" : "plain";
}

// For the test names that ctest lists.
void PrintTo(transport t, std::ostream* os) {
  *os << name(t);
}

class fault_api_test : public ::testing::TestWithParam<transport> {
 protected:
  static bool secure() { return GetParam() == transport::tls; }

  void SetUp() override {
    server_.start();
    zk_ = std::make_unique<client>(options());
    zk_->on_state([this](session_state s) { states_.push(s); });
    await(zk_->async_connect(asio::use_future), "connect to the embedded server");
    EXPECT_EQ(states_.next("connected"), session_state::connected);
  }

  // The next fault log line containing `part`, skipping others (pings, ...).
  std::string await_fault(const std::string& part) {
    return next_line_containing(faults_, part, "a fault log line");
  }

  // A client of the port under test.
  client_options options() const {
    if (!secure()) return {.connect_string = server_.connect_string()};
    return {.connect_string = server_.secure_connect_string(), .tls = client_tls()};
  }

  recorder<std::string> faults_;
  server server_{{.port = 0,
                  .tls = secure() ? std::optional{server_tls()} : std::nullopt,
                  .on_fault = faults_.pusher()}};
  recorder<session_state> states_;
  std::unique_ptr<client> zk_;
};

TEST_P(fault_api_test, StalledRepliesLeaveInOrderWhenTheStallEnds) {
  zk_->create("/stall", "v1");
  server_.stall_replies(1h);
  recorder<std::string> replies;
  zk_->async_get_data("/stall", [r = replies](std::error_code ec, data_result d) {
    r.push(ec ? ec.message() : "get " + d.data);
  });
  zk_->async_set_data("/stall", "v2", -1, [r = replies](std::error_code ec, stat) {
    r.push(ec ? ec.message() : "set");
  });
  zk_->async_get_data("/stall", [r = replies](std::error_code ec, data_result d) {
    r.push(ec ? ec.message() : "get " + d.data);
  });
  const auto session = session_hex(zk_->session_id());
  EXPECT_EQ(await_fault("held GETD"), "stall_replies: held GETD reply xid 2 to session " + session);
  await_fault("held SETD reply xid 3");
  await_fault("held GETD reply xid 4");
  // The server has answered all three; the stall keeps every answer back.
  EXPECT_EQ(replies.size(), 0u);
  server_.stall_replies(0ms);
  EXPECT_EQ(replies.next("the first get after the stall"), "get v1");
  EXPECT_EQ(replies.next("the set after the stall"), "set");
  EXPECT_EQ(replies.next("the second get after the stall"), "get v2");
}

TEST_P(fault_api_test, AShortStallEndsByItself) {
  server_.stall_replies(50ms);
  auto created = zk_->async_create("/short-stall", "x", asio::use_future);
  EXPECT_EQ(await(std::move(created), "the create reply once the 50 ms stall is over"),
            "/short-stall");
  EXPECT_EQ(zk_->get_data("/short-stall").data, "x");
}

TEST_P(fault_api_test, DelayedRepliesArriveInOrderAndCorrect) {
  server_.delay_replies(20ms);
  recorder<std::string> replies;
  for (int i = 0; i < 10; ++i)
    zk_->async_create(
        "/delay-" + std::to_string(i), std::to_string(i),
        [r = replies](std::error_code ec, std::string path) { r.push(ec ? ec.message() : path); });
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(replies.next("delayed create reply " + std::to_string(i)),
              "/delay-" + std::to_string(i));
  EXPECT_EQ(zk_->get_data("/delay-7").data, "7");
  EXPECT_EQ(await_fault("delayed CREA"), "delay_replies: delayed CREA reply xid 1 to session " +
                                             session_hex(zk_->session_id()) + " by 20 ms");
  server_.delay_replies(0ms);
  EXPECT_EQ(zk_->get_data("/delay-3").data, "3");
  // Lines are logged before their frame is sent: none may follow the reset.
  const auto log = server_.fault_log();
  const auto reset = std::find(log.begin(), log.end(), "delay_replies: 0 ms");
  ASSERT_NE(reset, log.end());
  EXPECT_TRUE(std::none_of(reset, log.end(), [](const std::string& l) {
    return l.find("delayed") != std::string::npos;
  }));
}

TEST_P(fault_api_test, RejectNextFailsExactlyTheNextRequests) {
  server_.reject_next(2, error::operation_timeout);
  std::error_code ec;
  zk_->create("/rejected", "x", {}, ec);
  EXPECT_EQ(ec, error::operation_timeout);
  zk_->exists("/rejected", {}, ec);
  EXPECT_EQ(ec, error::operation_timeout);
  // The third request runs, and shows that the rejected create was not applied.
  EXPECT_FALSE(zk_->exists("/rejected"));
  const auto session = session_hex(zk_->session_id());
  EXPECT_EQ(await_fault("reject_next: session"),
            "reject_next: session " + session + " CREA /rejected -> operation_timeout (1 left)");
  EXPECT_EQ(await_fault("reject_next: session"),
            "reject_next: session " + session + " EXIS /rejected -> operation_timeout (0 left)");
}

TEST_P(fault_api_test, RejectNextTakesOnlyServerErrorCodes) {
  EXPECT_THROW(server_.reject_next(1, error::connection_loss), std::invalid_argument);
  EXPECT_THROW(server_.reject_next(1, error::client_closed), std::invalid_argument);
  EXPECT_THROW(server_.reject_next(1, std::make_error_code(std::errc::timed_out)),
               std::invalid_argument);
  server_.reject_next(1, error::session_moved);
  std::error_code ec;
  zk_->get_children("/", {}, ec);
  EXPECT_EQ(ec, error::session_moved);
  EXPECT_FALSE(zk_->exists("/anything"));
}

TEST_P(fault_api_test, RefusedConnectionsFailWhileTheConnectedClientWorks) {
  server_.refuse_connections(true);
  client refused{options()};
  recorder<std::error_code> outcome;
  refused.async_connect([o = outcome](std::error_code ec) { o.push(ec); });
  const auto ec = outcome.next("the connect to a refusing server to fail");
  // Over TLS the handshake is what fails, with a TLS error.
  if (secure())
    EXPECT_TRUE(is_tls_error(ec)) << ec.category().name() << ": " << ec.message();
  else
    EXPECT_EQ(ec, error::no_server_reachable);
  EXPECT_NE(await_fault("refuse_connections: closed").find("from 127.0.0.1:"), std::string::npos);
  zk_->create("/still-working", "");
  EXPECT_TRUE(zk_->exists("/still-working"));
  server_.refuse_connections(false);
  client admitted{options()};
  await(admitted.async_connect(asio::use_future), "a connect once connections are admitted again");
  EXPECT_TRUE(admitted.exists("/still-working"));
}

TEST_P(fault_api_test, FramesOverTheShrunkLimitLoseTheConnection) {
  server_.set_max_frame_size(1024);
  const std::string small(100, 's');
  zk_->create("/frame", small);
  std::error_code ec;
  zk_->set_data("/frame", std::string(4000, 'b'), -1, ec);
  EXPECT_EQ(ec, error::connection_loss);
  EXPECT_EQ(states_.next("suspended"), session_state::suspended);
  EXPECT_EQ(states_.next("reconnected"), session_state::reconnected);
  const auto line = await_fault("set_max_frame_size: closed");
  EXPECT_NE(line.find("session " + session_hex(zk_->session_id())), std::string::npos) << line;
  EXPECT_NE(line.find("> 1024"), std::string::npos) << line;
  EXPECT_EQ(zk_->get_data("/frame").data, small);
  server_.set_max_frame_size(0);
  zk_->set_data("/frame", std::string(4000, 'b'));
  EXPECT_EQ(zk_->get_data("/frame").data.size(), 4000u);
}

TEST_P(fault_api_test, DroppedConnectionsResumeTheirSessions) {
  zk_->create("/dropped", "");
  server_.drop_connections();
  EXPECT_EQ(states_.next("suspended by the drop"), session_state::suspended);
  EXPECT_EQ(states_.next("reconnected after the drop"), session_state::reconnected);
  EXPECT_EQ(await_fault("drop_connections: closed"),
            "drop_connections: closed the connection of session " + session_hex(zk_->session_id()));
  EXPECT_TRUE(zk_->exists("/dropped"));
}

INSTANTIATE_TEST_SUITE_P(over, fault_api_test, ::testing::Values(transport::plain, transport::tls),
                         [](const ::testing::TestParamInfo<transport>& p) {
                           return std::string{name(p.param)};
                         });

}  // namespace
}  // namespace zkpp::test
