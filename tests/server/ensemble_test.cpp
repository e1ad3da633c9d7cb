// zkpp::server with several members: one replicated state behind several
// client ports. Members stop and start, and lag behind, and a zkpp::client
// sees what it would see with a real ensemble.

#include <gtest/gtest.h>

#include <asio/use_future.hpp>

#include <stdexcept>

#include "../integration/waiting.hpp"
#include "fault_lines.hpp"
#include "zkpp/client.hpp"
#include "zkpp/server.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

class ensemble_test : public ::testing::Test {
 protected:
  void SetUp() override { ensemble_.start(); }

  // A connected client of `hosts`, its states recorded into `states`.
  std::unique_ptr<client> connect(const std::string& hosts, const recorder<session_state>& states) {
    auto c = std::make_unique<client>(
        client_options{.connect_string = hosts, .session_timeout = 10000ms});
    c->on_state(states.pusher());
    await(c->async_connect(asio::use_future), "connect to " + hosts);
    EXPECT_EQ(states.next("connected to " + hosts), session_state::connected);
    return c;
  }
  std::unique_ptr<client> connect(const std::string& hosts) { return connect(hosts, {}); }

  // The member a client is connected to.
  std::size_t member_of(const client& c) const {
    const auto server = c.connected_server();
    for (std::size_t m = 0; m < ensemble_.members(); ++m)
      if (ensemble_.member_connect_string(m) == server) return m;
    throw std::runtime_error("connected to " + server + ", not a member");
  }

  std::string await_fault(const std::string& part) {
    return next_line_containing(faults_, part, "a fault log line");
  }

  recorder<std::string> faults_;
  server ensemble_{{.port = 0, .members = 3, .on_fault = faults_.pusher()}};
};

TEST_F(ensemble_test, MembersHaveTheirOwnPortsAndShareOneState) {
  ASSERT_EQ(ensemble_.members(), 3u);
  EXPECT_NE(ensemble_.member_port(0), ensemble_.member_port(1));
  EXPECT_NE(ensemble_.member_port(1), ensemble_.member_port(2));
  EXPECT_EQ(ensemble_.port(), ensemble_.member_port(0));
  EXPECT_EQ(ensemble_.connect_string(), ensemble_.member_connect_string(0) + "," +
                                            ensemble_.member_connect_string(1) + "," +
                                            ensemble_.member_connect_string(2));
  EXPECT_THROW(ensemble_.member_port(3), std::out_of_range);

  auto a = connect(ensemble_.member_connect_string(0));
  auto b = connect(ensemble_.member_connect_string(2));
  event_recorder created;
  EXPECT_FALSE(b->exists("/shared", record_into(created)));
  a->create("/shared", "one state");
  EXPECT_EQ(created.next("NodeCreated on member 2 for a write on member 0").type,
            event_type::node_created);
  EXPECT_EQ(b->get_data("/shared").data, "one state");
}

TEST_F(ensemble_test, StoppingAMemberMovesItsClientsWithTheirSessions) {
  recorder<session_state> states;
  auto zk = connect(ensemble_.connect_string(), states);
  const auto id = zk->session_id();
  zk->create("/eph", "", {.mode = create_mode::ephemeral});
  zk->create("/data", "v0");
  event_recorder data;
  zk->get_data("/data", record_into(data));

  const auto home = member_of(*zk);
  ensemble_.stop_member(home);
  await_fault("stop_member: closed the connection of session " + session_hex(id));
  EXPECT_EQ(states.next("suspended when its member stopped"), session_state::suspended);
  EXPECT_EQ(states.next("reconnected to another member"), session_state::reconnected);
  EXPECT_EQ(zk->session_id(), id);
  EXPECT_NE(member_of(*zk), home);

  // Its ephemeral and its watch lived on.
  auto other = connect(ensemble_.member_connect_string((home + 1) % 3));
  EXPECT_TRUE(other->exists("/eph"));
  other->set_data("/data", "v1");
  EXPECT_EQ(data.next("the data watch after the move").type, event_type::node_data_changed);

  // A stopped member's port takes no connections until it starts again.
  client refused{{.connect_string = ensemble_.member_connect_string(home)}};
  std::error_code ec;
  refused.connect(ec);
  EXPECT_EQ(ec, error::no_server_reachable);
  ensemble_.start_member(home);
  auto back = connect(ensemble_.member_connect_string(home));
  EXPECT_EQ(back->get_data("/data").data, "v1");
  EXPECT_TRUE(back->exists("/eph"));
}

TEST_F(ensemble_test, ALaggingMemberServesAPrefixUntilItsClientSyncs) {
  auto writer = connect(ensemble_.member_connect_string(0));
  auto reader = connect(ensemble_.member_connect_string(1));
  writer->create("/x", "v0");
  event_recorder events;
  EXPECT_EQ(reader->get_data("/x", record_into(events)).data, "v0");

  ensemble_.lag_member(1);
  await_fault("lag_member: member 1 stays at zxid");
  writer->set_data("/x", "v1");
  writer->create("/y", "");
  EXPECT_LT(ensemble_.member_zxid(1), ensemble_.last_zxid());

  // The member has not applied either write: its reads show the old state,
  // and the notification waits (it would have come before this reply).
  const auto old = reader->get_data("/x");
  EXPECT_EQ(old.data, "v0");
  EXPECT_EQ(old.stat.version, 0);
  EXPECT_FALSE(reader->exists("/y"));
  EXPECT_EQ(events.size(), 0u) << "a notification passed a lagging member";

  reader->sync("/x");
  EXPECT_EQ(ensemble_.member_zxid(1), ensemble_.last_zxid());
  const auto e = events.next("the held notification, once the member caught up");
  EXPECT_EQ(e.type, event_type::node_data_changed);
  EXPECT_EQ(e.path, "/x");
  EXPECT_EQ(reader->get_data("/x").data, "v1");
  EXPECT_TRUE(reader->exists("/y"));
}

TEST_F(ensemble_test, WatchesSetOnALaggingMemberFireWhenItCatchesUp) {
  auto writer = connect(ensemble_.member_connect_string(0));
  auto reader = connect(ensemble_.member_connect_string(1));
  writer->create("/config", "v0");
  writer->create("/gone", "");
  ensemble_.lag_member(1);
  writer->set_data("/config", "v1");
  writer->create("/config/child", "");
  writer->create("/new", "");
  writer->remove("/gone");

  // Set after those changes, on the state from before them.
  event_recorder data, children, created, deleted, quiet;
  EXPECT_EQ(reader->get_data("/config", record_into(data)).data, "v0");
  EXPECT_TRUE(reader->get_children("/config", record_into(children)).empty());
  EXPECT_FALSE(reader->exists("/new", record_into(created)));
  EXPECT_TRUE(reader->exists("/gone", record_into(deleted)));
  EXPECT_FALSE(reader->exists("/quiet-later", record_into(quiet)));

  ensemble_.catch_up_member(1);
  EXPECT_EQ(data.next("NodeDataChanged of /config").type, event_type::node_data_changed);
  EXPECT_EQ(children.next("NodeChildrenChanged of /config").type,
            event_type::node_children_changed);
  EXPECT_EQ(created.next("NodeCreated of /new").type, event_type::node_created);
  EXPECT_EQ(deleted.next("NodeDeleted of /gone").type, event_type::node_deleted);
  // Fired once: the watches were consumed.
  writer->set_data("/config", "v2");
  writer->create("/quiet-later", "");
  EXPECT_EQ(quiet.next("NodeCreated of /quiet-later").type, event_type::node_created);
  EXPECT_EQ(data.size(), 0u);
}

TEST_F(ensemble_test, AWriteThroughALaggingMemberCatchesItUp) {
  auto writer = connect(ensemble_.member_connect_string(0));
  auto lagging = connect(ensemble_.member_connect_string(2));
  ensemble_.lag_member(2);
  writer->create("/before", "");
  EXPECT_FALSE(lagging->exists("/before"));
  lagging->create("/mine", "");
  EXPECT_TRUE(lagging->exists("/before"));
  EXPECT_EQ(ensemble_.member_zxid(2), ensemble_.last_zxid());

  ensemble_.lag_member(2);
  writer->create("/after", "");
  EXPECT_FALSE(lagging->exists("/after"));
  ensemble_.catch_up_member(2);
  EXPECT_TRUE(lagging->exists("/after"));
}

TEST_F(ensemble_test, ALaggingMemberRefusesAClientThatHasSeenNewerState) {
  recorder<session_state> states;
  auto zk = connect(ensemble_.member_connect_string(0) + "," + ensemble_.member_connect_string(1),
                    states);
  const auto home = member_of(*zk);
  const auto behind = home == 0 ? 1 : 0;
  ensemble_.lag_member(behind);
  zk->create("/seen", "");  // the client has now seen a zxid the lagging member has not

  ensemble_.stop_member(home);
  EXPECT_EQ(states.next("suspended when its member stopped"), session_state::suspended);
  await_fault("lag_member: member " + std::to_string(behind) + " refused session " +
              session_hex(zk->session_id()));
  ensemble_.catch_up_member(behind);
  states.skip_until(session_state::reconnected, "reconnected once the member caught up");
  EXPECT_EQ(member_of(*zk), behind);
  EXPECT_TRUE(zk->exists("/seen"));
}

}  // namespace
}  // namespace zkpp::test
