#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "zkpp/test/process.hpp"

namespace zkpp::test {

// TLS for a real ZooKeeper's secure client port (NettyServerCnxnFactory with
// PEM files, e.g. from tls_material). The plain client port stays open.
// Checked here: ZooKeeper 3.8 negotiates TLSv1.2; with need_client_auth
// false a client without certificate gets a session; with true it gets a
// "bad certificate" alert during the handshake.
struct zookeeper_tls {
  // One PEM file holding the server's private key and certificate (chain).
  std::filesystem::path key_and_cert{};
  // PEM CA certificate(s) that client certificates are checked against.
  std::filesystem::path trust{};
  // ssl.clientAuth=need (clients must present a certificate signed by
  // `trust`) instead of none.
  bool need_client_auth = false;
};

struct apache_zookeeper_options {
  int tick_time_ms = 2000;
  // Extra JVM system properties, as "name=value" (without -D).
  std::vector<std::string> java_properties{};
  // Extra zoo.cfg lines, as "key=value".
  std::vector<std::string> cfg_lines{};
  // Port to listen on; 0 picks a free one.
  std::uint16_t port = 0;
  std::chrono::seconds start_timeout{60};
  // Also serve TLS on a secure client port (127.0.0.1 only).
  std::optional<zookeeper_tls> tls;
  // Secure port when `tls` is set; 0 picks a free one.
  std::uint16_t secure_port = 0;
};

// A real Apache ZooKeeper 3.8 standalone server (Debian's `zookeeper`
// package) on 127.0.0.1, with its own data directory. The constructor returns
// once the server answers `srvr` (Mode: standalone) and accepts a session,
// and, with options.tls, once its secure port completes a TLS handshake
// (openssl s_client); it throws
// std::runtime_error (naming what it waited for, with the log's tail)
// otherwise. The destructor stops it and removes its directory.
class apache_zookeeper {
 public:
  explicit apache_zookeeper(apache_zookeeper_options options = {});
  ~apache_zookeeper();
  apache_zookeeper(const apache_zookeeper&) = delete;
  apache_zookeeper& operator=(const apache_zookeeper&) = delete;

  // "127.0.0.1:PORT"
  std::string connect_string() const;
  std::uint16_t port() const { return port_; }
  // With options.tls: "127.0.0.1:SECURE_PORT" and that port; otherwise ""
  // and 0.
  std::string secure_connect_string() const;
  std::uint16_t secure_port() const { return secure_port_; }
  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  const std::filesystem::path& directory() const { return dir_; }
  std::filesystem::path log_file() const { return dir_ / "zookeeper.log"; }

  // Graceful stop (SIGTERM); the port and data directory are kept so that
  // start() brings the same server back, sessions included.
  void stop();
  // SIGKILL: a crash.
  void kill();
  // (Re)starts on the same port and data, waiting until it serves.
  void start();

  // True when Debian's ZooKeeper and a java binary are installed; otherwise
  // `why` says what is missing.
  static bool available(std::string& why);

 private:
  apache_zookeeper_options options_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::uint16_t secure_port_ = 0;
  child_process process_;
};

// java ... org.apache.zookeeper.ZooKeeperMain -server SERVER COMMAND...:
// Apache ZooKeeper's own CLI (Debian's package, see available()) running one
// command against SERVER; each of `java_properties` ("name=value", e.g.
// "zookeeper.client.secure=true") becomes -Dname=value.
std::vector<std::string> zookeeper_cli_command(const std::string& server,
                                               const std::vector<std::string>& command,
                                               const std::vector<std::string>& java_properties);

}  // namespace zkpp::test
