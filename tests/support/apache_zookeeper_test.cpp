#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "zkpp/test/apache_zookeeper.hpp"
#include "zkpp/test/backend.hpp"
#include "zkpp/test/probe.hpp"

namespace zkpp::test {
namespace {

// The JVM is gone once the destructor returns: its pid is reaped, so
// kill(pid, 0) reports ESRCH (no zombie, no survivor).
bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

void skip_unless_available() {
  std::string why;
  if (!apache_zookeeper::available(why)) {
    if (in_ci()) FAIL() << why;
    GTEST_SKIP() << why;
  }
}

TEST(apache_zookeeper, serves_and_is_gone_after_destruction) {
  skip_unless_available();
  pid_t pid = -1;
  std::filesystem::path dir;
  {
    apache_zookeeper zk;
    pid = zk.pid();
    dir = zk.directory();
    ASSERT_GT(pid, 0);
    EXPECT_EQ(four_letter_word(zk.port(), "ruok"), "imok");
    EXPECT_EQ(probe_handshake(zk.port()), "");
    EXPECT_EQ(zk.connect_string(), "127.0.0.1:" + std::to_string(zk.port()));
  }
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(apache_zookeeper, restarts_on_the_same_port_after_a_crash) {
  skip_unless_available();
  apache_zookeeper_options options;
  options.tick_time_ms = 500;
  apache_zookeeper zk{options};
  auto port = zk.port();
  zk.kill();
  EXPECT_FALSE(zk.running());
  EXPECT_NE(probe_handshake(port, std::chrono::seconds{2}), "");
  zk.start();
  EXPECT_EQ(zk.port(), port);
  EXPECT_EQ(probe_handshake(port), "");
}

TEST(backend, unique_paths_differ_and_stay_top_level) {
  auto a = unique_path("x/y");
  auto b = unique_path("x/y");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("/zkpp-test-", 0), 0u);
  EXPECT_EQ(a.find('/', 1), std::string::npos);
}

TEST(backend, servers_answer_a_handshake) {
  ZKPP_REQUIRE_SERVERS();
  auto s = servers();
  auto colon = s.rfind(':');
  ASSERT_NE(colon, std::string::npos) << s;
  if (s.find(',') != std::string::npos) GTEST_SKIP() << "external ensemble: " << s;
  auto port = static_cast<std::uint16_t>(std::stoi(s.substr(colon + 1)));
  EXPECT_EQ(probe_handshake(port), "") << backend_name() << " at " << s;
}

}  // namespace
}  // namespace zkpp::test
