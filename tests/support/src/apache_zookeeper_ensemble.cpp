#include "zkpp/test/apache_zookeeper_ensemble.hpp"

#include <signal.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "zkpp/test/apache_zookeeper.hpp"
#include "zkpp/test/probe.hpp"
#include "zookeeper_launch.hpp"

namespace zkpp::test {
namespace {

using clock = std::chrono::steady_clock;

// `count` distinct ports that were free a moment ago.
std::vector<std::uint16_t> distinct_free_ports(std::size_t count) {
  std::vector<std::uint16_t> ports;
  while (ports.size() < count) {
    auto p = free_port();
    if (std::find(ports.begin(), ports.end(), p) == ports.end()) ports.push_back(p);
  }
  return ports;
}

}  // namespace

apache_zookeeper_ensemble::apache_zookeeper_ensemble(apache_zookeeper_ensemble_options options)
    : options_(std::move(options)), dir_("zkpp-ensemble") {
  std::string why;
  if (!apache_zookeeper::available(why))
    throw std::runtime_error("Apache ZooKeeper unavailable: " + why);
  if (options_.members == 0) throw std::invalid_argument("apache_zookeeper_ensemble: 0 members");
  auto ports = distinct_free_ports(3 * options_.members);
  members_.resize(options_.members);
  std::string servers;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    auto& m = members_[i];
    m.client_port = ports[3 * i];
    m.quorum_port = ports[3 * i + 1];
    m.election_port = ports[3 * i + 2];
    servers += "server." + std::to_string(i + 1) + "=127.0.0.1:" + std::to_string(m.quorum_port) +
               ":" + std::to_string(m.election_port) + "\n";
  }
  for (std::size_t i = 0; i < members_.size(); ++i) {
    auto dir = member_directory(i);
    std::filesystem::create_directories(dir / "data");
    detail::write_text_file(dir / "data" / "myid", std::to_string(i + 1) + "\n");
    // standaloneEnabled=false: a one-member "ensemble" still runs as a
    // quorum (Mode: leader), so every size behaves alike.
    std::string cfg = detail::base_zoo_cfg(options_.tick_time_ms, dir / "data", at(i).client_port) +
                      "initLimit=" + std::to_string(options_.init_limit) +
                      "\nsyncLimit=" + std::to_string(options_.sync_limit) +
                      "\nstandaloneEnabled=false\n"
                      "reconfigEnabled=false\n" +
                      servers;
    for (const auto& line : options_.cfg_lines) cfg += line + "\n";
    detail::write_text_file(dir / "zoo.cfg", cfg);
  }
}

apache_zookeeper_ensemble::~apache_zookeeper_ensemble() {
  // SIGTERM to every member first so that they shut down in parallel, then
  // reap each (stop() escalates to SIGKILL after its grace period).
  for (auto& m : members_)
    if (m.process.running()) ::kill(-m.process.pid(), SIGTERM);
  for (auto& m : members_) m.process.stop();
}

apache_zookeeper_ensemble::member& apache_zookeeper_ensemble::at(std::size_t i) {
  if (i >= members_.size())
    throw std::out_of_range("apache_zookeeper_ensemble: no member " + std::to_string(i));
  return members_[i];
}

const apache_zookeeper_ensemble::member& apache_zookeeper_ensemble::at(std::size_t i) const {
  return const_cast<apache_zookeeper_ensemble*>(this)->at(i);
}

std::filesystem::path apache_zookeeper_ensemble::member_directory(std::size_t i) const {
  return dir_ / ("member" + std::to_string(i + 1));
}

std::filesystem::path apache_zookeeper_ensemble::log_file(std::size_t i) const {
  return member_directory(i) / "member.log";
}

std::string apache_zookeeper_ensemble::member_connect_string(std::size_t i) const {
  return "127.0.0.1:" + std::to_string(at(i).client_port);
}

std::string apache_zookeeper_ensemble::connect_string() const {
  std::string out;
  for (std::size_t i = 0; i < members_.size(); ++i)
    out += (i == 0 ? "" : ",") + member_connect_string(i);
  return out;
}

std::uint16_t apache_zookeeper_ensemble::client_port(std::size_t i) const {
  return at(i).client_port;
}
std::uint16_t apache_zookeeper_ensemble::quorum_port(std::size_t i) const {
  return at(i).quorum_port;
}
std::uint16_t apache_zookeeper_ensemble::election_port(std::size_t i) const {
  return at(i).election_port;
}
pid_t apache_zookeeper_ensemble::pid(std::size_t i) const {
  return at(i).process.pid();
}
bool apache_zookeeper_ensemble::running(std::size_t i) {
  return at(i).process.running();
}

void apache_zookeeper_ensemble::launch(std::size_t i) {
  auto& m = at(i);
  if (m.process.running()) return;
  auto dir = member_directory(i);
  // A small heap, serial GC and the client compiler: three JVMs start
  // faster on two cores, and the tests need no peak throughput.
  m.process = child_process(
      detail::zookeeper_java_command(
          "org.apache.zookeeper.server.quorum.QuorumPeerMain", dir / "zoo.cfg",
          {"-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"}, options_.java_properties),
      log_file(i));
}

std::string apache_zookeeper_ensemble::log_tails() {
  std::string out;
  for (std::size_t i = 0; i < members_.size(); ++i)
    out += "\n--- member " + std::to_string(i) + " (" + member_connect_string(i) + ", " +
           (running(i) ? "running" : "not running") + ") log tail:\n" +
           file_tail(log_file(i), 2048);
  return out;
}

void apache_zookeeper_ensemble::wait_until_serving(std::size_t i, clock::time_point deadline) {
  detail::wait_until_ready(
      at(i).process,
      "Apache ZooKeeper ensemble member " + std::to_string(i) + " on " + member_connect_string(i) +
          " (srvr Mode: leader|follower, handshake)",
      [&] {
        return detail::probe_serving(at(i).client_port, {"leader", "follower"});
      },
      deadline, options_.start_timeout, log_file(i));
}

void apache_zookeeper_ensemble::wait_until_serving(std::size_t i) {
  wait_until_serving(i, clock::now() + options_.start_timeout);
}

void apache_zookeeper_ensemble::start() {
  const auto deadline = clock::now() + options_.start_timeout;
  for (std::size_t i = 0; i < members_.size(); ++i) launch(i);
  try {
    for (std::size_t i = 0; i < members_.size(); ++i) wait_until_serving(i, deadline);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) + "\nensemble " + connect_string() + ":" +
                             log_tails());
  }
}

void apache_zookeeper_ensemble::start_member(std::size_t i) {
  launch(i);
  wait_until_serving(i);
}

void apache_zookeeper_ensemble::stop_member(std::size_t i) {
  at(i).process.stop();
}

void apache_zookeeper_ensemble::kill_member(std::size_t i) {
  at(i).process.kill();
}

std::string apache_zookeeper_ensemble::mode(std::size_t i) {
  if (!running(i)) return {};
  try {
    return detail::srvr_mode(four_letter_word(at(i).client_port, "srvr", std::chrono::seconds{2}));
  } catch (const std::exception&) {
    return {};
  }
}

std::size_t apache_zookeeper_ensemble::leader_index(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  std::string modes;
  for (;;) {
    modes.clear();
    std::vector<std::size_t> leaders;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      auto m = mode(i);
      if (m == "leader") leaders.push_back(i);
      modes += (i == 0 ? "" : ", ") + std::to_string(i) + ": " + (m.empty() ? "-" : m);
    }
    if (leaders.size() == 1) return leaders.front();
    if (clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  throw std::runtime_error("Apache ZooKeeper ensemble " + connect_string() +
                           ": no single member answered srvr with Mode: leader within " +
                           std::to_string(timeout.count()) + " ms (modes " + modes + ")");
}

}  // namespace zkpp::test
