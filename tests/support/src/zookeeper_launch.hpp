#pragma once

// Internal helpers shared by the Apache ZooKeeper fixtures (standalone and
// ensemble): configuration files, the java command line, and polling for
// readiness with a deadline.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "zkpp/test/apache_zookeeper.hpp"
#include "zkpp/test/process.hpp"

namespace zkpp::test::detail {

inline constexpr const char* zookeeper_jar = "/usr/share/java/zookeeper.jar";

// The java class path of Debian's ZooKeeper: its jar, then slf4j-simple
// (logging to stderr), then every jar of /usr/share/java.
std::string zookeeper_classpath();

// Writes `text` to `file` (replacing it); throws std::runtime_error on failure.
void write_text_file(const std::filesystem::path& file, const std::string& text);

// The zoo.cfg lines every fixture uses: tick time, data directory, plain
// client port on 127.0.0.1, all four-letter words, no admin server.
std::string base_zoo_cfg(int tick_time_ms, const std::filesystem::path& data_dir,
                         std::uint16_t client_port);

// java ... -cp zookeeper.jar:/usr/share/java/* <main_class> <cfg>, with the
// usual -D switches and logging to stderr, then `jvm_flags` and each of
// `java_properties` ("name=value") as -Dname=value.
std::vector<std::string> zookeeper_java_command(const std::string& main_class,
                                                const std::filesystem::path& cfg,
                                                const std::vector<std::string>& jvm_flags,
                                                const std::vector<std::string>& java_properties);

// Asks `probe` every 100 ms until it returns an empty string (ready). Throws
// std::runtime_error naming `what` when `process` exits first or when
// `deadline` passes; the message carries the probe's last answer and the tail
// of `log`. `timeout` is only for the message.
void wait_until_ready(child_process& process, const std::string& what,
                      const std::function<std::string()>& probe,
                      std::chrono::steady_clock::time_point deadline,
                      std::chrono::milliseconds timeout, const std::filesystem::path& log);

// "" when the server on `port` answers `srvr` with one of `modes` (e.g.
// "leader", "follower", "standalone") and accepts a session; otherwise what
// it said.
std::string probe_serving(std::uint16_t port, const std::vector<std::string>& modes);

// The "Mode: ..." value of a `srvr` answer, or "" when there is none (the
// server is not serving, e.g. while it elects a leader).
std::string srvr_mode(const std::string& srvr_answer);

// "" when a TLS handshake with the secure port `port` of a ZooKeeper
// configured with `tls` completes (openssl s_client, presenting
// tls.key_and_cert as client certificate when the server needs one; the
// server's chain is not verified here); otherwise what went wrong.
std::string probe_tls_port(std::uint16_t port, const zookeeper_tls& tls);

}  // namespace zkpp::test::detail
