// zoo.cfg and command-line parsing of zkpp-server.

#include <gtest/gtest.h>

#include "zkpp/detail/server/server_config.hpp"

namespace zkpp::detail::server {
namespace {

TEST(server_config, reads_the_zoo_cfg_keys) {
  server_options o;
  EXPECT_FALSE(
      apply_zoo_cfg("# comment\n"
                    "clientPort=2181\n"
                    "clientPortAddress = 127.0.0.2\n"
                    "tickTime=500\n"
                    "minSessionTimeout=1000\n"
                    "maxSessionTimeout=9000\n"
                    "jute.maxbuffer=4096\n"
                    "extendedTypesEnabled=true\n"
                    "4lw.commands.whitelist=ruok, srvr ,mntr\n"
                    "dataDir=/var/lib/zookeeper\n",
                    o));
  EXPECT_EQ(o.port, 2181);
  EXPECT_EQ(o.host, "127.0.0.2");
  EXPECT_EQ(o.tick_time.count(), 500);
  EXPECT_EQ(o.min_session_timeout.count(), 1000);
  EXPECT_EQ(o.max_session_timeout.count(), 9000);
  EXPECT_EQ(o.max_buffer, 4096);
  EXPECT_TRUE(o.extended_types_enabled);
  EXPECT_EQ(o.four_letter_whitelist, (std::vector<std::string>{"ruok", "srvr", "mntr"}));
}

TEST(server_config, reports_bad_values_with_their_line) {
  server_options o;
  EXPECT_EQ(apply_zoo_cfg("\nclientPort=http\n", o),
            "line 2: clientPort: not a number in [0, 65535]: http");
}

TEST(server_config, command_line_flags_override_the_config_file) {
  const auto path = ::testing::TempDir() + "/zkpp_server_config_test.cfg";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("clientPort=2181\ntickTime=100\n", f);
    std::fclose(f);
  }
  server_options o;
  EXPECT_FALSE(parse_command_line(
      {"--port", "0", "--config", path, "--super-digest", "s:x", "--reap-interval", "50",
       "--max-buffer", "100", "--extended-types-enabled", "true", "--4lw-whitelist", "*"},
      o));
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.tick_time.count(), 100);
  EXPECT_EQ(o.super_digest, "s:x");
  EXPECT_EQ(o.reap_interval.count(), 50);
  EXPECT_EQ(o.max_buffer, 100);
  EXPECT_TRUE(o.extended_types_enabled);
  EXPECT_EQ(o.four_letter_whitelist, std::vector<std::string>{"*"});
}

TEST(server_config, rejects_unknown_flags_and_missing_values) {
  server_options o;
  EXPECT_EQ(parse_command_line({"--bogus", "1"}, o), "unknown option --bogus");
  EXPECT_EQ(parse_command_line({"--port"}, o), "missing value for --port");
  EXPECT_EQ(parse_command_line({"--tick-time", "0"}, o), "--tick-time: must be positive");
  EXPECT_TRUE(parse_command_line({"--config", "/nonexistent/zoo.cfg"}, o));
}

TEST(server_config, durability_flags) {
  server_options o;
  EXPECT_TRUE(o.data_dir.empty()) << "in memory by default";
  EXPECT_FALSE(parse_command_line(
      {"--data-dir", "/var/lib/zkpp", "--fsync", "every", "--snapshot-every", "500"}, o));
  EXPECT_EQ(o.data_dir, "/var/lib/zkpp");
  EXPECT_EQ(o.fsync, fsync_policy::every_write);
  EXPECT_EQ(o.snapshot_every, 500);
  EXPECT_FALSE(parse_command_line({"--fsync", "off"}, o));
  EXPECT_EQ(o.fsync, fsync_policy::off);
  EXPECT_FALSE(parse_command_line({"--fsync", "batched"}, o));
  EXPECT_EQ(o.fsync, fsync_policy::batched);
  EXPECT_EQ(parse_command_line({"--fsync", "sometimes"}, o),
            "--fsync: not every, batched or off: sometimes");
  EXPECT_EQ(parse_command_line({"--snapshot-every", "0"}, o),
            "--snapshot-every: not a number in [1, 9223372036854775807]: 0");
}

TEST(server_config, idle_poll_flag) {
  server_options o;
  EXPECT_EQ(o.idle_poll.count(), 0) << "no polling by default";
  EXPECT_FALSE(parse_command_line({"--idle-poll", "200"}, o));
  EXPECT_EQ(o.idle_poll, std::chrono::microseconds{200});
  EXPECT_EQ(parse_command_line({"--idle-poll", "-1"}, o),
            "--idle-poll: not a number in [0, 1000000]: -1");
}

TEST(server_config, control_port_is_a_program_option) {
  server_options o;
  program_options p;
  EXPECT_FALSE(parse_command_line({"--control-port", "0", "--port", "7"}, o, p));
  EXPECT_EQ(p.control_port, std::optional<std::uint16_t>{0});
  EXPECT_EQ(o.port, 7);
  EXPECT_EQ(parse_command_line({"--control-port", "70000"}, o, p),
            "--control-port: not a number in [0, 65535]: 70000");
  EXPECT_FALSE(parse_command_line({"--port", "8"}, o, p));
}

TEST(server_config, tls_flags_turn_the_secure_port_on) {
  server_options o;
  EXPECT_FALSE(parse_command_line({}, o));
  EXPECT_FALSE(o.tls);
  EXPECT_FALSE(parse_command_line({"--secure-port", "2281", "--tls-cert", "s.pem", "--tls-key",
                                   "s.key", "--tls-ca", "ca.pem", "--tls-client-auth", "need"},
                                  o));
  ASSERT_TRUE(o.tls);
  EXPECT_EQ(o.tls->secure_port, 2281);
  EXPECT_EQ(o.tls->cert_file, "s.pem");
  EXPECT_EQ(o.tls->key_file, "s.key");
  EXPECT_EQ(o.tls->ca_file, "ca.pem");
  EXPECT_TRUE(o.tls->require_client_cert);
  EXPECT_EQ(parse_command_line({"--tls-client-auth", "want"}, o),
            "--tls-client-auth: need or none: want");
  EXPECT_EQ(parse_command_line({"--secure-port", "x"}, o),
            "--secure-port: not a number in [0, 65535]: x");
}

TEST(server_config, reads_zookeepers_pem_tls_keys) {
  server_options o;
  EXPECT_FALSE(
      apply_zoo_cfg("secureClientPort=2281\n"
                    "ssl.keyStore.location=/etc/zk/key-and-cert.pem\n"
                    "ssl.trustStore.location=/etc/zk/ca.pem\n"
                    "ssl.clientAuth=none\n",
                    o));
  ASSERT_TRUE(o.tls);
  EXPECT_EQ(o.tls->secure_port, 2281);
  EXPECT_EQ(o.tls->cert_file, "/etc/zk/key-and-cert.pem");
  EXPECT_EQ(o.tls->key_file, "/etc/zk/key-and-cert.pem");
  EXPECT_EQ(o.tls->ca_file, "/etc/zk/ca.pem");
  EXPECT_FALSE(o.tls->require_client_cert);
}

}  // namespace
}  // namespace zkpp::detail::server
