// A 3-member ensemble: kill the member the client is connected to; the
// client moves to another member within its session. Runs against a real
// Apache ZooKeeper ensemble and against zkpp::server's in-process members,
// with the same expectations.

#include <chrono>
#include <cstdio>
#include <memory>

#include "../integration/waiting.hpp"
#include "zkpp/client.hpp"
#include "zkpp/server.hpp"
#include "zkpp/test/apache_zookeeper_ensemble.hpp"
#include "zkpp/test/backend.hpp"
#include "zkpp/test/require.hpp"

namespace zkpp::test {
namespace {

using namespace std::chrono_literals;

// What the test needs of an ensemble, whichever kind.
class ensemble_under_test {
 public:
  virtual ~ensemble_under_test() = default;
  virtual std::size_t size() const = 0;
  virtual std::string connect_string() const = 0;
  virtual std::string member_connect_string(std::size_t i) const = 0;
  virtual std::string mode(std::size_t i) = 0;
  // As abruptly as the ensemble allows: SIGKILL, or closing the member's port
  // and connections at once.
  virtual void kill_member(std::size_t i) = 0;
};

class apache_ensemble final : public ensemble_under_test {
 public:
  apache_ensemble() { zk_.start(); }
  std::size_t size() const override { return zk_.size(); }
  std::string connect_string() const override { return zk_.connect_string(); }
  std::string member_connect_string(std::size_t i) const override {
    return zk_.member_connect_string(i);
  }
  std::string mode(std::size_t i) override { return zk_.mode(i); }
  void kill_member(std::size_t i) override { zk_.kill_member(i); }

 private:
  apache_zookeeper_ensemble zk_;
};

class zkpp_ensemble final : public ensemble_under_test {
 public:
  zkpp_ensemble() { server_.start(); }
  std::size_t size() const override { return server_.members(); }
  std::string connect_string() const override { return server_.connect_string(); }
  std::string member_connect_string(std::size_t i) const override {
    return server_.member_connect_string(i);
  }
  std::string mode(std::size_t i) override { return i == 0 ? "leader" : "follower"; }
  void kill_member(std::size_t i) override { server_.stop_member(i); }

 private:
  server server_{{.port = 0, .members = 3}};
};

class ensemble_fault : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<ensemble_under_test> start_ensemble() {
    if (GetParam() == "zkpp") return std::make_unique<zkpp_ensemble>();
    return std::make_unique<apache_ensemble>();
  }
};

INSTANTIATE_TEST_SUITE_P(kinds, ensemble_fault, ::testing::Values("zookeeper", "zkpp"),
                         [](const auto& info) { return info.param; });

TEST_P(ensemble_fault, killing_the_connected_member_keeps_session_ephemerals_and_watches) {
  if (GetParam() == "zookeeper") ZKPP_REQUIRE_APACHE_ZOOKEEPER();
  const auto started = start_ensemble();
  auto& ensemble = *started;

  recorder<session_state> states;
  client zk{{.connect_string = ensemble.connect_string(), .session_timeout = 6000ms}};
  zk.on_state(states.pusher());
  zk.connect();
  ASSERT_EQ(states.next("connected"), session_state::connected);
  const auto id = zk.session_id();

  const std::string root = unique_path("ensemble");
  zk.create(root, "");
  zk.create(root + "/data", "v0");
  zk.create(root + "/eph", "", {.mode = create_mode::ephemeral});
  zk.create(root + "/tree", "");
  event_recorder data, child, persistent, recursive;
  zk.get_data(root + "/data", record_into(data));
  zk.get_children(root, record_into(child));
  zk.add_watch(root + "/data", add_watch_mode::persistent, record_into(persistent));
  // Not on `root`: a 3.8 server keeps one watch mode per path and session, so
  // a recursive watch there would replace the child watch.
  zk.add_watch(root + "/tree", add_watch_mode::persistent_recursive, record_into(recursive));

  const auto server = zk.connected_server();
  std::size_t victim = ensemble.size();
  for (std::size_t i = 0; i < ensemble.size(); ++i)
    if (server == ensemble.member_connect_string(i)) victim = i;
  ASSERT_LT(victim, ensemble.size()) << "connected to " << server << ", not a member";

  const auto role = ensemble.mode(victim);
  const auto killed_at = std::chrono::steady_clock::now();
  ensemble.kill_member(victim);
  for (auto s = states.next("suspended after the kill"); s != session_state::reconnected;
       s = states.next("reconnected to another member", 30s))
    ASSERT_NE(s, session_state::lost);
  const auto reconnect_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - killed_at)
                                .count();
  std::printf("MEASURE ensemble_reconnect_ms=%lld killed=%s role=%s\n",
              static_cast<long long>(reconnect_ms), server.c_str(), role.c_str());
  EXPECT_EQ(zk.session_id(), id);
  EXPECT_NE(zk.connected_server(), server);

  // The session's ephemeral survived; a second client on a survivor sees it.
  client other{{.connect_string = ensemble.member_connect_string((victim + 1) % ensemble.size())}};
  other.connect();
  EXPECT_TRUE(other.exists(root + "/eph"));

  other.set_data(root + "/data", "v1");
  other.create(root + "/kid", "");
  other.create(root + "/tree/leaf", "");
  EXPECT_EQ(data.next("data watch after failover").type, event_type::node_data_changed);
  EXPECT_EQ(child.next("child watch after failover").type, event_type::node_children_changed);
  EXPECT_EQ(persistent.next("persistent watch after failover").type, event_type::node_data_changed);
  const auto r = recursive.next("recursive watch after failover");
  EXPECT_EQ(r.type, event_type::node_created);
  EXPECT_EQ(r.path, root + "/tree/leaf");

  zk.close();
  // `other` may be on a follower that has not applied the close yet: sync
  // first, as any reader of another session's state must.
  other.sync(root);
  EXPECT_FALSE(other.exists(root + "/eph"));
}

}  // namespace
}  // namespace zkpp::test
