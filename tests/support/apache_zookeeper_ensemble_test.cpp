#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <vector>

#include "zkpp/test/apache_zookeeper_ensemble.hpp"
#include "zkpp/test/probe.hpp"
#include "zkpp/test/require.hpp"

namespace zkpp::test {
namespace {

using clock = std::chrono::steady_clock;

// Wall-clock phases go to the log, never into assertions.
struct phase_timer {
  clock::time_point since = clock::now();
  void lap(const char* what) {
    auto now = clock::now();
    std::cout << "[ timing ] " << what << ": "
              << std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count()
              << " ms\n";
    since = now;
  }
};

TEST(apache_zookeeper_ensemble, survives_a_follower_crash_and_takes_it_back) {
  ZKPP_REQUIRE_APACHE_ZOOKEEPER();
  std::vector<pid_t> pids;
  std::filesystem::path dir;
  {
    phase_timer timer;
    apache_zookeeper_ensemble zk;
    dir = zk.directory();
    ASSERT_EQ(zk.size(), 3u);
    zk.start();
    timer.lap("start 3 members");

    EXPECT_EQ(zk.connect_string(), zk.member_connect_string(0) + "," + zk.member_connect_string(1) +
                                       "," + zk.member_connect_string(2));
    for (std::size_t i = 0; i < zk.size(); ++i) {
      EXPECT_EQ(zk.member_connect_string(i), "127.0.0.1:" + std::to_string(zk.client_port(i)));
      EXPECT_EQ(probe_handshake(zk.client_port(i)), "") << "member " << i;
      pids.push_back(zk.pid(i));
    }

    const auto leader = zk.leader_index();
    const auto follower = (leader + 1) % zk.size();
    const auto other = (leader + 2) % zk.size();
    EXPECT_EQ(zk.mode(follower), "follower");
    EXPECT_EQ(zk.mode(other), "follower");

    zk.kill_member(follower);
    EXPECT_FALSE(zk.running(follower));
    EXPECT_EQ(zk.mode(follower), "");
    EXPECT_NE(probe_handshake(zk.client_port(follower), std::chrono::seconds{2}), "");
    // Two of three still form a quorum: both survivors keep serving.
    EXPECT_EQ(probe_handshake(zk.client_port(leader)), "");
    EXPECT_EQ(probe_handshake(zk.client_port(other)), "");
    EXPECT_EQ(zk.leader_index(), leader);
    timer.lap("kill a follower, survivors serve");

    zk.start_member(follower);
    EXPECT_EQ(zk.mode(follower), "follower");
    EXPECT_EQ(probe_handshake(zk.client_port(follower)), "");
    EXPECT_NE(zk.pid(follower), pids[follower]);
    timer.lap("restart the follower until it serves");

    zk.stop_member(follower);
    EXPECT_FALSE(zk.running(follower));
    timer.lap("stop the follower (SIGTERM)");
  }
  // The destructor reaped every member and removed the directories.
  for (auto pid : pids) EXPECT_TRUE(::kill(pid, 0) != 0 && errno == ESRCH) << pid;
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(apache_zookeeper_ensemble, rejects_a_member_it_does_not_have) {
  ZKPP_REQUIRE_APACHE_ZOOKEEPER();
  apache_zookeeper_ensemble zk{{.members = 1}};
  EXPECT_THROW(zk.client_port(1), std::out_of_range);
  EXPECT_EQ(zk.connect_string(), zk.member_connect_string(0));
  EXPECT_FALSE(zk.running(0));
  EXPECT_EQ(zk.mode(0), "");
}

}  // namespace
}  // namespace zkpp::test
