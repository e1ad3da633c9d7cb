// The scriptable faults of zkpp::server, seen by a zkpp::client: each test
// turns one fault on, shows its effect and its fault log line, and turns it
// off again.

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "../integration/waiting.hpp"
#include "zkpp/client.hpp"
#include "zkpp/server.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

std::string session_hex(std::int64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(id));
  return buf;
}

class fault_api_test : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    zk_ = std::make_unique<client>(client_options{.connect_string = server_.connect_string()});
    zk_->on_state([this](session_state s) { states_.push(s); });
    await(zk_->async_connect(asio::use_future), "connect to the embedded server");
    EXPECT_EQ(states_.next("connected"), session_state::connected);
  }

  // The next fault log line containing `part`, skipping others (pings, ...).
  std::string await_fault(const std::string& part) {
    return next_line_containing(faults_, part, "a fault log line");
  }

  recorder<std::string> faults_;
  server server_{{.port = 0, .on_fault = faults_.pusher()}};
  recorder<session_state> states_;
  std::unique_ptr<client> zk_;
};

TEST_F(fault_api_test, StalledRepliesLeaveInOrderWhenTheStallEnds) {
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

TEST_F(fault_api_test, AShortStallEndsByItself) {
  server_.stall_replies(50ms);
  auto created = zk_->async_create("/short-stall", "x", asio::use_future);
  EXPECT_EQ(await(std::move(created), "the create reply once the 50 ms stall is over"),
            "/short-stall");
  EXPECT_EQ(zk_->get_data("/short-stall").data, "x");
}

TEST_F(fault_api_test, DelayedRepliesArriveInOrderAndCorrect) {
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

TEST_F(fault_api_test, RejectNextFailsExactlyTheNextRequests) {
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

TEST_F(fault_api_test, RejectNextTakesOnlyServerErrorCodes) {
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

TEST_F(fault_api_test, RefusedConnectionsFailWhileTheConnectedClientWorks) {
  server_.refuse_connections(true);
  client refused{{.connect_string = server_.connect_string()}};
  recorder<std::error_code> outcome;
  refused.async_connect([o = outcome](std::error_code ec) { o.push(ec); });
  EXPECT_EQ(outcome.next("the connect to a refusing server to fail"), error::no_server_reachable);
  EXPECT_NE(await_fault("refuse_connections: closed").find("from 127.0.0.1:"), std::string::npos);
  zk_->create("/still-working", "");
  EXPECT_TRUE(zk_->exists("/still-working"));
  server_.refuse_connections(false);
  client admitted{{.connect_string = server_.connect_string()}};
  await(admitted.async_connect(asio::use_future), "a connect once connections are admitted again");
  EXPECT_TRUE(admitted.exists("/still-working"));
}

TEST_F(fault_api_test, FramesOverTheShrunkLimitLoseTheConnection) {
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

}  // namespace
}  // namespace zkpp::test
