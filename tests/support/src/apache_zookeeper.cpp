#include "zkpp/test/apache_zookeeper.hpp"

#include <stdexcept>
#include <system_error>

#include "zkpp/test/probe.hpp"
#include "zookeeper_launch.hpp"

namespace zkpp::test {

std::vector<std::string> zookeeper_cli_command(const std::string& server,
                                               const std::vector<std::string>& command,
                                               const std::vector<std::string>& java_properties) {
  std::vector<std::string> argv{"java"};
  for (const auto& p : java_properties) argv.push_back("-D" + p);
  argv.insert(argv.end(), {"-cp", detail::zookeeper_classpath(),
                           "org.apache.zookeeper.ZooKeeperMain", "-server", server});
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

bool apache_zookeeper::available(std::string& why) {
  if (!std::filesystem::exists(detail::zookeeper_jar)) {
    why = std::string(detail::zookeeper_jar) + " missing (apt-get install zookeeper)";
    return false;
  }
  if (find_program("java").empty()) {
    why = "java not found in PATH (apt-get install default-jre-headless)";
    return false;
  }
  return true;
}

apache_zookeeper::apache_zookeeper(apache_zookeeper_options options)
    : options_(std::move(options)) {
  std::string why;
  if (!available(why)) throw std::runtime_error("Apache ZooKeeper unavailable: " + why);
  if (options_.tls && find_program("openssl").empty())
    throw std::runtime_error("Apache ZooKeeper with TLS: openssl not found in PATH");
  dir_ = make_temp_dir("zkpp-zookeeper");
  try {
    port_ = options_.port != 0 ? options_.port : free_port();
    std::filesystem::create_directory(dir_ / "data");
    std::string cfg = detail::base_zoo_cfg(options_.tick_time_ms, dir_ / "data", port_);
    if (const auto& tls = options_.tls) {
      secure_port_ = options_.secure_port;
      while (secure_port_ == 0 || secure_port_ == port_) secure_port_ = free_port();
      // Unknown zoo.cfg keys become "zookeeper.<key>" system properties,
      // which is where X509Util reads ssl.* (and ssl.clientAuth) from.
      cfg +=
          "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\n"
          "secureClientPort=" +
          std::to_string(secure_port_) +
          "\nsecureClientPortAddress=127.0.0.1\n"
          "ssl.keyStore.location=" +
          tls->key_and_cert.string() +
          "\nssl.keyStore.type=PEM\n"
          "ssl.trustStore.location=" +
          tls->trust.string() +
          "\nssl.trustStore.type=PEM\n"
          "ssl.clientAuth=" +
          (tls->need_client_auth ? "need" : "none") + "\n";
    }
    for (const auto& line : options_.cfg_lines) cfg += line + "\n";
    detail::write_text_file(dir_ / "zoo.cfg", cfg);
    start();
  } catch (...) {
    process_.kill();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

apache_zookeeper::~apache_zookeeper() {
  process_.stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string apache_zookeeper::connect_string() const {
  return "127.0.0.1:" + std::to_string(port_);
}

std::string apache_zookeeper::secure_connect_string() const {
  return secure_port_ == 0 ? std::string() : "127.0.0.1:" + std::to_string(secure_port_);
}

void apache_zookeeper::stop() {
  process_.stop();
}

void apache_zookeeper::kill() {
  process_.kill();
}

void apache_zookeeper::start() {
  if (process_.running()) return;
  process_ = child_process(
      detail::zookeeper_java_command("org.apache.zookeeper.server.ZooKeeperServerMain",
                                     dir_ / "zoo.cfg", {"-Xmx256m"}, options_.java_properties),
      log_file());
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  const auto timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.start_timeout);
  try {
    detail::wait_until_ready(
        process_, "Apache ZooKeeper on " + connect_string() + " (srvr Mode: standalone, handshake)",
        [&] { return detail::probe_serving(port_, {"standalone"}); }, deadline, timeout,
        log_file());
    if (const auto& tls = options_.tls) {
      detail::wait_until_ready(
          process_,
          "Apache ZooKeeper's secure port " + secure_connect_string() + " (TLS handshake)",
          [&] { return detail::probe_tls_port(secure_port_, *tls); }, deadline, timeout,
          log_file());
    }
  } catch (...) {
    process_.kill();
    throw;
  }
}

}  // namespace zkpp::test
