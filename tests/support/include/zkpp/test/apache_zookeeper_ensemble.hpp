#pragma once

// apache_zookeeper_ensemble: a real Apache ZooKeeper 3.8 ensemble (Debian's
// `zookeeper` package, QuorumPeerMain) on 127.0.0.1, for failover tests.
// Each member has its own directory (zoo.cfg, data/myid, member.log) and its
// own free client, quorum and election ports, kept across restarts.
//
//   apache_zookeeper_ensemble zk{{.members = 3}};
//   zk.start();                           // all serve, or throws with logs
//   client.connect(zk.connect_string());  // "127.0.0.1:p1,127.0.0.1:p2,..."
//   auto leader = zk.leader_index();
//   zk.kill_member(leader);               // SIGKILL; stop_member: SIGTERM
//   zk.start_member(leader);              // same ports and data; waits
//
// Members are numbered 0..members-1 here (myid is index + 1). A member
// "serves" when `srvr` answers Mode: leader or follower and a session
// handshake succeeds. The destructor stops every member and removes the
// directories. Not thread-safe; members die with the thread that started
// them (PR_SET_PDEATHSIG), so start them from the test's main thread.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "zkpp/test/process.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {

struct apache_zookeeper_ensemble_options {
  std::size_t members = 3;
  int tick_time_ms = 2000;
  // In ticks: how long followers may take to connect/sync to a leader, and
  // how far they may lag behind it.
  int init_limit = 5;
  int sync_limit = 2;
  // Extra JVM system properties, as "name=value" (without -D).
  std::vector<std::string> java_properties{};
  // Extra zoo.cfg lines, as "key=value", for every member.
  std::vector<std::string> cfg_lines{};
  // For start(), start_member() and wait_until_serving().
  std::chrono::seconds start_timeout{90};
};

class apache_zookeeper_ensemble {
 public:
  // Picks ports and writes every member's configuration; starts nothing.
  // Throws std::runtime_error when ZooKeeper or java is missing.
  explicit apache_zookeeper_ensemble(apache_zookeeper_ensemble_options options = {});
  ~apache_zookeeper_ensemble();
  apache_zookeeper_ensemble(const apache_zookeeper_ensemble&) = delete;
  apache_zookeeper_ensemble& operator=(const apache_zookeeper_ensemble&) = delete;

  // Starts every member that is not running and waits until all serve;
  // throws std::runtime_error (what it waited for, each member's log tail).
  void start();

  std::size_t size() const { return members_.size(); }
  // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3" (client ports).
  std::string connect_string() const;
  // "127.0.0.1:p" of member i.
  std::string member_connect_string(std::size_t i) const;
  std::uint16_t client_port(std::size_t i) const;
  std::uint16_t quorum_port(std::size_t i) const;
  std::uint16_t election_port(std::size_t i) const;

  // Graceful stop (SIGTERM, then waits until it exited).
  void stop_member(std::size_t i);
  // SIGKILL: a crash.
  void kill_member(std::size_t i);
  // Starts member i again (same ports and data) and waits until it serves.
  void start_member(std::size_t i);
  // Waits until member i serves (srvr: leader or follower, and a handshake
  // works), at most options.start_timeout; throws otherwise.
  void wait_until_serving(std::size_t i);
  // True while member i's process runs (it may not serve yet).
  bool running(std::size_t i);
  pid_t pid(std::size_t i) const;

  // "leader", "follower", or "" when member i does not serve (stopped,
  // electing, ...), from `srvr`.
  std::string mode(std::size_t i);
  // The index of the member whose `srvr` says Mode: leader, waiting up to
  // `timeout` for one (e.g. during an election); throws std::runtime_error
  // with each member's mode otherwise.
  std::size_t leader_index(std::chrono::milliseconds timeout = std::chrono::seconds{30});

  const std::filesystem::path& directory() const { return dir_.path(); }
  std::filesystem::path member_directory(std::size_t i) const;
  std::filesystem::path log_file(std::size_t i) const;

 private:
  struct member {
    std::uint16_t client_port = 0;
    std::uint16_t quorum_port = 0;
    std::uint16_t election_port = 0;
    child_process process;
  };
  member& at(std::size_t i);
  const member& at(std::size_t i) const;
  void launch(std::size_t i);
  void wait_until_serving(std::size_t i, std::chrono::steady_clock::time_point deadline);
  std::string log_tails();

  apache_zookeeper_ensemble_options options_;
  scoped_temp_dir dir_;
  std::vector<member> members_;
};

}  // namespace zkpp::test
