#include <asio/use_future.hpp>

#include "client_fixture.hpp"

namespace zkpp::test {
namespace {

using watches = client_test;

// After this returns, every event `c` would get for changes made before the
// call has been delivered: ZooKeeper sends notifications before later replies.
void settle(client& c, const std::string& p) {
  c.sync(p);
  c.exists(p);
}

TEST_F(watches, data_watch_fires_once_on_change) {
  zk().create(path("d"), "0");
  event_recorder events;
  zk().get_data(path("d"), record_into(events));
  zk().set_data(path("d"), "1");
  const auto e = events.next("NodeDataChanged on " + path("d"));
  EXPECT_EQ(e.type, event_type::node_data_changed);
  EXPECT_EQ(e.state, keeper_state::sync_connected);
  EXPECT_EQ(e.path, path("d"));
  zk().set_data(path("d"), "2");
  settle(zk(), path("d"));
  EXPECT_EQ(events.size(), 0u) << "a one-shot watch fired twice";
}

TEST_F(watches, data_watch_fires_on_delete) {
  zk().create(path("d"), "");
  event_recorder events;
  zk().get_data(path("d"), record_into(events));
  zk().remove(path("d"));
  EXPECT_EQ(events.next("NodeDeleted").type, event_type::node_deleted);
}

TEST_F(watches, exists_watch_on_missing_node_fires_on_creation) {
  event_recorder events;
  EXPECT_FALSE(zk().exists(path("later"), record_into(events)));
  auto other = connect_client();
  other->create(path("later"), "");
  const auto e = events.next("NodeCreated from another session");
  EXPECT_EQ(e.type, event_type::node_created);
  EXPECT_EQ(e.path, path("later"));
}

TEST_F(watches, get_data_on_missing_node_sets_no_watch) {
  event_recorder events;
  std::error_code ec;
  zk().get_data(path("absent"), record_into(events), ec);
  EXPECT_EQ(ec, error::no_node);
  zk().create(path("absent"), "");
  settle(zk(), path("absent"));
  EXPECT_EQ(events.size(), 0u);
}

TEST_F(watches, child_watch_fires_on_child_creation_and_deletion) {
  event_recorder events;
  zk().get_children(root_, record_into(events));
  zk().create(path("kid"), "");
  const auto e = events.next("NodeChildrenChanged on create");
  EXPECT_EQ(e.type, event_type::node_children_changed);
  EXPECT_EQ(e.path, root_);
  zk().get_children2(root_, record_into(events));
  zk().remove(path("kid"));
  EXPECT_EQ(events.next("NodeChildrenChanged on delete").type, event_type::node_children_changed);
}

TEST_F(watches, one_event_per_change_for_data_and_child_watch_on_deleted_node) {
  zk().create(path("both"), "");
  event_recorder data_events, child_events;
  zk().get_data(path("both"), record_into(data_events));
  zk().get_children(path("both"), record_into(child_events));
  zk().remove(path("both"));
  EXPECT_EQ(data_events.next("NodeDeleted for the data watch").type, event_type::node_deleted);
  EXPECT_EQ(child_events.next("NodeDeleted for the child watch").type, event_type::node_deleted);
}

TEST_F(watches, persistent_watch_keeps_firing_for_node_and_its_children_list) {
  zk().create(path("p"), "");
  event_recorder events;
  zk().add_watch(path("p"), add_watch_mode::persistent, record_into(events));
  zk().set_data(path("p"), "1");
  zk().set_data(path("p"), "2");
  zk().create(path("p/c"), "");
  zk().set_data(path("p/c"), "x");  // a grandchild-level change: not for a persistent watch
  zk().remove(path("p/c"));
  zk().remove(path("p"));
  const event_type expected[] = {event_type::node_data_changed, event_type::node_data_changed,
                                 event_type::node_children_changed,
                                 event_type::node_children_changed, event_type::node_deleted};
  for (auto t : expected) {
    const auto e = events.next(std::string{"persistent watch event "} + to_string(t));
    EXPECT_EQ(e.type, t);
    EXPECT_EQ(e.path, path("p"));
  }
}

TEST_F(watches, recursive_watch_sees_the_subtree_but_no_child_list_changes) {
  zk().create(path("tree"), "");
  event_recorder events;
  zk().add_watch(path("tree"), add_watch_mode::persistent_recursive, record_into(events));
  zk().create(path("tree/a"), "");
  zk().create(path("tree/a/b"), "");
  zk().set_data(path("tree/a/b"), "v");
  zk().remove(path("tree/a/b"));
  const std::pair<event_type, std::string> expected[] = {
      {event_type::node_created, path("tree/a")},
      {event_type::node_created, path("tree/a/b")},
      {event_type::node_data_changed, path("tree/a/b")},
      {event_type::node_deleted, path("tree/a/b")}};
  for (const auto& [t, p] : expected) {
    const auto e = events.next(std::string{"recursive watch event "} + to_string(t) + " " + p);
    EXPECT_EQ(e.type, t);
    EXPECT_EQ(e.path, p);
  }
  settle(zk(), path("tree"));
  EXPECT_EQ(events.size(), 0u);
}

TEST_F(watches, remove_watches_stops_events_and_tells_the_watcher) {
  zk().create(path("r"), "");
  event_recorder events;
  zk().get_data(path("r"), record_into(events));
  zk().remove_watches(path("r"), watcher_type::data);
  EXPECT_EQ(events.next("DataWatchRemoved").type, event_type::data_watch_removed);
  zk().set_data(path("r"), "x");
  settle(zk(), path("r"));
  EXPECT_EQ(events.size(), 0u);
  std::error_code ec;
  zk().remove_watches(path("r"), watcher_type::any, ec);
  EXPECT_EQ(ec, error::no_watcher);
}

TEST_F(watches, remove_watches_any_removes_a_persistent_watch) {
  zk().create(path("pr"), "");
  event_recorder events;
  zk().add_watch(path("pr"), add_watch_mode::persistent, record_into(events));
  zk().remove_watches(path("pr"), watcher_type::any);
  EXPECT_EQ(events.next("PersistentWatchRemoved").type, event_type::persistent_watch_removed);
  zk().set_data(path("pr"), "x");
  settle(zk(), path("pr"));
  EXPECT_EQ(events.size(), 0u);
}

TEST_F(watches, event_is_delivered_before_the_reply_that_follows_the_change) {
  zk().create(path("o"), "");
  recorder<std::string> order;
  zk().get_data(path("o"), [order](const watch_event& e) { order.push("event " + e.path); });
  // Our own write: the server sends the notification before the setData reply.
  zk().async_set_data(path("o"), "1", -1,
                      [order](std::error_code ec, stat) { order.push(ec ? "error" : "reply"); });
  EXPECT_EQ(order.next("first delivery"), "event " + path("o"));
  EXPECT_EQ(order.next("second delivery"), "reply");
}

TEST_F(watches, watch_of_another_session_fires_before_its_later_read_reply) {
  zk().create(path("x"), "old");
  auto watcher_client = connect_client();
  recorder<std::string> order;
  watcher_client->get_data(path("x"), [order](const watch_event&) { order.push("event"); });
  zk().set_data(path("x"), "new");
  watcher_client->async_get_data(
      path("x"), [order](std::error_code, data_result r) { order.push("read " + r.data); });
  // The read may be answered before or after the change reaches that
  // server, but if it sees "new" the event must already have arrived.
  const auto first = order.next("event or read");
  if (first == "read old") {
    EXPECT_EQ(order.next("event after stale read"), "event");
  } else {
    EXPECT_EQ(first, "event");
    EXPECT_EQ(order.next("read after event"), "read new");
  }
}

}  // namespace
}  // namespace zkpp::test
