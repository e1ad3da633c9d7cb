#include "zookeeper_launch.hpp"

#include <fstream>
#include <stdexcept>
#include <thread>

#include "zkpp/test/probe.hpp"
#include "zkpp/test/tls_material.hpp"

namespace zkpp::test::detail {

std::string zookeeper_classpath() {
  // /usr/share/java/* holds several SLF4J bindings (nop wins, in practice,
  // and the server logs nothing; log4j12 clashes with log4j-over-slf4j), so
  // name slf4j-simple first: INFO and up to stderr, that is the log file.
  return std::string(zookeeper_jar) + ":/usr/share/java/slf4j-simple.jar:/usr/share/java/*";
}

void write_text_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::string base_zoo_cfg(int tick_time_ms, const std::filesystem::path& data_dir,
                         std::uint16_t client_port) {
  return "tickTime=" + std::to_string(tick_time_ms) + "\ndataDir=" + data_dir.string() +
         "\nclientPort=" + std::to_string(client_port) +
         "\nclientPortAddress=127.0.0.1\n"
         "4lw.commands.whitelist=*\n"
         "admin.enableServer=false\n"
         "maxClientCnxns=0\n";
}

std::vector<std::string> zookeeper_java_command(const std::string& main_class,
                                                const std::filesystem::path& cfg,
                                                const std::vector<std::string>& jvm_flags,
                                                const std::vector<std::string>& java_properties) {
  std::vector<std::string> argv{"java"};
  argv.insert(argv.end(), jvm_flags.begin(), jvm_flags.end());
  argv.insert(argv.end(),
              {"-Dzookeeper.extendedTypesEnabled=true", "-Dznode.container.checkIntervalMs=1000",
               "-Dzookeeper.4lw.commands.whitelist=*", "-Dzookeeper.jmx.log4j.disable=true",
               "-Dorg.slf4j.simpleLogger.showDateTime=true",
               "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"});
  for (const auto& p : java_properties) argv.push_back("-D" + p);
  argv.insert(argv.end(), {"-cp", zookeeper_classpath(), main_class, cfg.string()});
  return argv;
}

void wait_until_ready(child_process& process, const std::string& what,
                      const std::function<std::string()>& probe,
                      std::chrono::steady_clock::time_point deadline,
                      std::chrono::milliseconds timeout, const std::filesystem::path& log) {
  // Readiness is only observable by asking, so poll with a deadline.
  std::string last = "no answer yet";
  for (;;) {
    if (!process.running())
      throw std::runtime_error(what + " exited before serving (last: " + last + "); log tail:\n" +
                               file_tail(log));
    last = probe();
    if (last.empty()) return;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  throw std::runtime_error(what + " did not serve within " + std::to_string(timeout.count()) +
                           " ms (last: " + last + "); log tail:\n" + file_tail(log));
}

std::string srvr_mode(const std::string& srvr_answer) {
  static constexpr std::string_view key = "Mode: ";
  auto at = srvr_answer.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  auto end = srvr_answer.find_first_of("\r\n", at);
  return srvr_answer.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::string probe_serving(std::uint16_t port, const std::vector<std::string>& modes) {
  std::string answer;
  try {
    answer = four_letter_word(port, "srvr", std::chrono::seconds{2});
  } catch (const std::exception& e) {
    return e.what();
  }
  auto mode = srvr_mode(answer);
  bool wanted = false;
  for (const auto& m : modes) wanted = wanted || m == mode;
  if (!wanted) {
    while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
    return "srvr on port " + std::to_string(port) + " answered '" +
           (mode.empty() ? answer : "Mode: " + mode) + "'";
  }
  auto handshake = probe_handshake(port);
  if (!handshake.empty())
    return "srvr says Mode: " + mode + " but the handshake failed: " + handshake;
  return {};
}

std::string probe_tls_port(std::uint16_t port, const zookeeper_tls& tls) {
  s_client_options options;
  options.ca_file = tls.trust;
  if (tls.need_client_auth) options.cert = options.key = tls.key_and_cert;
  options.verify_return_error = false;
  options.timeout = std::chrono::seconds{5};
  auto result = openssl_s_client(port, options);
  auto cipher = result.output.find("Cipher is ");
  if (result.ok() && cipher != std::string::npos &&
      result.output.compare(cipher, 16, "Cipher is (NONE)") != 0)
    return {};
  return "TLS handshake: " + result.describe({"openssl s_client"});
}

}  // namespace zkpp::test::detail
