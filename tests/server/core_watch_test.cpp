// Watch firing rules (PROTOCOL.md §12).

#include "core_fixture.hpp"

namespace zkpp::test {
namespace {

constexpr int code(error e) {
  return static_cast<int>(e);
}

TEST_F(core_test, data_watch_fires_once_before_the_reply_that_caused_it) {
  const auto c = connect();
  create(c, "/d", "1");
  call(c, opcode::get_data, proto::get_data_request{"/d", true});
  call(c, opcode::set_data, proto::set_data_request{"/d", "2", -1});
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_data_changed, "/d")});
  call(c, opcode::set_data, proto::set_data_request{"/d", "3", -1});
  EXPECT_TRUE(pending_events_.empty()) << "standard watches are one-shot";
}

TEST_F(core_test, exists_on_a_missing_node_arms_a_watch_for_its_creation) {
  const auto c = connect();
  const auto w = connect();
  EXPECT_EQ(call(w, opcode::exists, proto::exists_request{"/later", true}).header.err,
            code(error::no_node));
  call(w, opcode::get_children, proto::get_children_request{"/", true});
  create(c, "/later");
  // NodeCreated for the child comes before NodeChildrenChanged for the parent.
  EXPECT_EQ(events(w), (std::vector{event(event_type::node_created, "/later"),
                                    event(event_type::node_children_changed, "/")}));
}

TEST_F(core_test, get_data_on_a_missing_node_sets_no_watch) {
  const auto c = connect();
  EXPECT_EQ(call(c, opcode::get_data, proto::get_data_request{"/nope", true}).header.err,
            code(error::no_node));
  create(c, "/nope");
  EXPECT_TRUE(pending_events_.empty());
}

TEST_F(core_test, delete_sends_one_node_deleted_for_a_data_and_child_watch) {
  const auto c = connect();
  create(c, "/x");
  call(c, opcode::get_data, proto::get_data_request{"/x", true});
  call(c, opcode::get_children, proto::get_children_request{"/x", true});
  call(c, opcode::remove, proto::delete_request{"/x", -1});
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_deleted, "/x")});
}

TEST_F(core_test, failed_writes_fire_nothing) {
  const auto c = connect();
  create(c, "/x");
  call(c, opcode::get_data, proto::get_data_request{"/x", true});
  call(c, opcode::set_data, proto::set_data_request{"/x", "", 42});
  EXPECT_TRUE(pending_events_.empty());
  call(c, opcode::set_data, proto::set_data_request{"/x", "", -1});
  EXPECT_EQ(pending_events_.size(), 1u);
}

TEST_F(core_test, persistent_watch_sees_every_change_of_its_node_and_stays) {
  const auto c = connect();
  const auto r = call(c, opcode::add_watch, proto::add_watch_request{"/p", 0});
  EXPECT_EQ(to_hex(r.body), "00000000");
  create(c, "/p");
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_created, "/p")});
  create(c, "/p/c");
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_children_changed, "/p")});
  call(c, opcode::set_data, proto::set_data_request{"/p/c", "", -1});
  EXPECT_TRUE(pending_events_.empty()) << "not recursive";
  call(c, opcode::set_data, proto::set_data_request{"/p", "", -1});
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_data_changed, "/p")});
  call(c, opcode::set_data, proto::set_data_request{"/p", "", -1});
  EXPECT_EQ(pending_events_.size(), 1u);
}

TEST_F(core_test, recursive_watch_sees_the_subtree_but_never_child_events) {
  const auto c = connect();
  create(c, "/tree");
  call(c, opcode::add_watch, proto::add_watch_request{"/tree", 1});
  create(c, "/tree/a");
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_created, "/tree/a")});
  create(c, "/tree/a/b");
  call(c, opcode::set_data, proto::set_data_request{"/tree/a/b", "x", -1});
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_data_changed, "/tree/a/b")});
  call(c, opcode::remove, proto::delete_request{"/tree/a/b", -1});
  EXPECT_EQ(pending_events_, std::vector{event(event_type::node_deleted, "/tree/a/b")});
  create(c, "/other");
  EXPECT_TRUE(pending_events_.empty());
}

TEST_F(core_test, check_and_remove_watches_act_on_the_3_8_tables) {
  const auto c = connect();
  create(c, "/w");
  const auto check = [&](std::int32_t type) {
    return call(c, opcode::check_watches, proto::check_watches_request{"/w", type}).header.err;
  };
  const auto remove = [&](std::int32_t type) {
    return call(c, opcode::remove_watches, proto::remove_watches_request{"/w", type}).header.err;
  };
  EXPECT_EQ(check(3), code(error::no_watcher));
  call(c, opcode::get_data, proto::get_data_request{"/w", true});
  EXPECT_EQ(check(2), 0);
  EXPECT_EQ(check(1), code(error::no_watcher));
  EXPECT_EQ(remove(1), code(error::no_watcher));
  EXPECT_EQ(remove(3), 0);
  EXPECT_EQ(check(2), code(error::no_watcher));
  // A recursive watch sits in both tables.
  call(c, opcode::add_watch, proto::add_watch_request{"/w", 1});
  EXPECT_EQ(check(2), 0);
  EXPECT_EQ(remove(1), 0);
  EXPECT_EQ(remove(3), 0);
  EXPECT_EQ(remove(3), code(error::no_watcher));
  EXPECT_EQ(check(4), code(error::marshalling_error)) << "3.8 has no WatcherType 4";
}

TEST_F(core_test, set_watches_fires_what_was_missed_and_rearms_the_rest) {
  const auto c = connect();
  create(c, "/changed");
  create(c, "/same");
  create(c, "/kids");
  const auto seen = handler_->last_zxid();
  call(c, opcode::set_data, proto::set_data_request{"/changed", "x", -1});
  create(c, "/kids/k");
  create(c, "/born");
  const auto w = connect();
  const auto r = call(w, opcode::set_watches2,
                      proto::set_watches2{seen,
                                          {"/changed", "/same", "/gone"},
                                          {"/born", "/unborn"},
                                          {"/kids", "/same"},
                                          {"/p"},
                                          {"/r"}});
  EXPECT_EQ(r.header.err, 0);
  EXPECT_EQ(pending_events_, (std::vector{event(event_type::node_data_changed, "/changed"),
                                          event(event_type::node_deleted, "/gone"),
                                          event(event_type::node_created, "/born"),
                                          event(event_type::node_children_changed, "/kids")}));
  call(c, opcode::set_data, proto::set_data_request{"/same", "x", -1});
  create(c, "/unborn");
  EXPECT_EQ(events(w), (std::vector{event(event_type::node_data_changed, "/same"),
                                    event(event_type::node_created, "/unborn")}));
}

TEST_F(core_test, watches_belong_to_the_connection) {
  const auto c = connect();
  const auto session = last_connect_;
  create(c, "/x");
  call(c, opcode::get_data, proto::get_data_request{"/x", true});
  handler_->connection_closed(c);
  const auto again = open();
  handler_->frame_received(again, connect_payload(session.session_id, session.passwd));
  pop_raw(again);
  call(again, opcode::set_data, proto::set_data_request{"/x", "", -1});
  EXPECT_TRUE(pending_events_.empty()) << "a new connection re-arms watches with SetWatches";
}

TEST_F(core_test, notifications_reach_other_connections_too) {
  const auto c = connect();
  const auto w = connect();
  create(c, "/x");
  call(w, opcode::get_data, proto::get_data_request{"/x", true});
  call(c, opcode::set_data, proto::set_data_request{"/x", "", -1});
  EXPECT_TRUE(pending_events_.empty());
  EXPECT_EQ(events(w), std::vector{event(event_type::node_data_changed, "/x")});
}

}  // namespace
}  // namespace zkpp::test
