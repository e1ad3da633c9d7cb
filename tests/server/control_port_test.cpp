// zkpp-server --control-port: the binary's line protocol for the test hooks
// and faults, driven over TCP while a client uses the server.

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include <algorithm>

#include "../integration/waiting.hpp"
#include "raw_client.hpp"
#include "server_program.hpp"
#include "zkpp/client.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

class control_port_test : public ::testing::Test {
 protected:
  explicit control_port_test(std::vector<std::string> flags = {}) : server_{with_control(flags)} {}

  static std::vector<std::string> with_control(std::vector<std::string> flags) {
    flags.insert(flags.begin(), {"--control-port", "0"});
    return flags;
  }

  void SetUp() override {
    const auto control =
        server_.expect_line("zkpp-server control on 127.0.0.1:", "the control port");
    control_ = std::make_unique<raw_client>(static_cast<std::uint16_t>(std::stoi(control)));
  }

  std::string command(const std::string& line) {
    control_->send_bytes(line + "\n");
    return control_->read_line("the answer to '" + line + "'");
  }

  server_program server_;
  const std::string& connect_string_ = server_.connect_string();
  std::unique_ptr<raw_client> control_;
};

TEST_F(control_port_test, CommandsReachTheServerAndAnswerOneLine) {
  client zk{{.connect_string = connect_string_}};
  recorder<session_state> states;
  zk.on_state(states.pusher());
  await(zk.async_connect(asio::use_future), "connect to zkpp-server");
  EXPECT_EQ(states.next("connected"), session_state::connected);
  char id[24];
  std::snprintf(id, sizeof id, "0x%llx", static_cast<unsigned long long>(zk.session_id()));

  EXPECT_EQ(command("sessions"), std::string{"ok "} + id);
  EXPECT_EQ(command("reject 1 no_auth"), "ok");
  std::error_code ec;
  zk.create("/c", "", {}, ec);
  EXPECT_EQ(ec, error::no_auth);
  zk.create("/c", "");

  EXPECT_EQ(command(std::string{"drop "} + id), "ok");
  EXPECT_EQ(states.next("suspended by 'drop'"), session_state::suspended);
  EXPECT_EQ(states.next("reconnected after 'drop'"), session_state::reconnected);

  EXPECT_EQ(command("stall 0"), "ok");
  EXPECT_EQ(command("delay 0"), "ok");
  EXPECT_EQ(command("refuse off"), "ok");
  EXPECT_EQ(command("max-frame 0"), "ok");
  EXPECT_EQ(command("drop all"), "ok");
  EXPECT_EQ(states.next("suspended by 'drop all'"), session_state::suspended);
  EXPECT_EQ(states.next("reconnected after 'drop all'"), session_state::reconnected);

  EXPECT_EQ(command(std::string{"expire "} + id), "ok");
  states.skip_until(session_state::lost, "lost by 'expire'");
  EXPECT_EQ(command("sessions"), "ok");

  EXPECT_EQ(command("log"), "ok 9");
  const std::string session = std::string{"session "} + id;
  const std::vector<std::string> expected{
      "reject_next: the next 1 requests -> no_auth",
      "reject_next: " + session + " CREA /c -> no_auth (0 left)",
      "drop_session_connection: closed the connection of " + session,
      "stall_replies: 0 ms",
      "delay_replies: 0 ms",
      "refuse_connections: off",
      "set_max_frame_size: 1048575 bytes",
      "drop_connections: closed the connection of " + session,
      "expire_session: expired " + session,
  };
  for (const auto& line : expected) EXPECT_EQ(control_->read_line("a fault log line"), line);
}

TEST_F(control_port_test, BadCommandsAnswerWithAnError) {
  EXPECT_EQ(command("expire 0x1"), "error no session 0x1");
  EXPECT_EQ(command("drop 0x1"), "error no connection of session 0x1");
  EXPECT_EQ(command("drop zz"), "error not a session id: zz");
  EXPECT_EQ(command("stall -5"), "error not a duration in ms: -5");
  EXPECT_EQ(command("refuse maybe"), "error unknown command: refuse");
  EXPECT_EQ(command("reject 2 connection_loss"),
            "error not a ZooKeeper server error name: connection_loss");
  EXPECT_EQ(command("launch"), "error unknown command: launch");
  EXPECT_EQ(command(""), "error empty command");
  EXPECT_EQ(command("log"), "ok 2");
  EXPECT_EQ(control_->read_line("the expire line"), "expire_session: no session 0x1");
  EXPECT_EQ(control_->read_line("the drop line"),
            "drop_session_connection: no connection of session 0x1");
}

class control_port_ensemble_test : public control_port_test {
 protected:
  control_port_ensemble_test() : control_port_test({"--members", "3"}) {}
};

TEST_F(control_port_ensemble_test, MembersStopStartLagAndCatchUp) {
  const auto& hosts = connect_string_;
  std::vector<std::string> members;
  for (std::size_t at = 0; at < hosts.size();) {
    const auto end = std::min(hosts.find(',', at), hosts.size());
    members.push_back(hosts.substr(at, end - at));
    at = end + 1;
  }
  ASSERT_EQ(members.size(), 3u) << hosts;
  client writer{{.connect_string = members[0]}};
  client reader{{.connect_string = members[1]}};
  await(writer.async_connect(asio::use_future), "connect to member 0");
  await(reader.async_connect(asio::use_future), "connect to member 1");

  EXPECT_EQ(command("lag 1"), "ok");
  writer.create("/while-lagging", "");
  EXPECT_FALSE(reader.exists("/while-lagging"));
  EXPECT_EQ(command("catch-up 1"), "ok");
  EXPECT_TRUE(reader.exists("/while-lagging"));

  recorder<session_state> states;
  client mover{{.connect_string = hosts}};
  mover.on_state(states.pusher());
  await(mover.async_connect(asio::use_future), "connect to the ensemble");
  EXPECT_EQ(states.next("connected"), session_state::connected);
  const auto home = mover.connected_server();
  const auto index =
      std::to_string(std::find(members.begin(), members.end(), home) - members.begin());
  EXPECT_EQ(command("stop-member " + index), "ok");
  EXPECT_EQ(states.next("suspended by 'stop-member'"), session_state::suspended);
  EXPECT_EQ(states.next("reconnected to another member"), session_state::reconnected);
  EXPECT_NE(mover.connected_server(), home);
  EXPECT_EQ(command("start-member " + index), "ok");
  client back{{.connect_string = home}};
  await(back.async_connect(asio::use_future), "connect to the restarted member");
  EXPECT_TRUE(back.exists("/while-lagging"));

  EXPECT_EQ(command("lag 3"), "error not a member (0..2): 3");
  EXPECT_EQ(command("stop-member one"), "error not a member (0..2): one");
}

}  // namespace
}  // namespace zkpp::test
