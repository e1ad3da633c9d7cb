#include "zkpp/test/apache_zookeeper.hpp"

#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "zkpp/test/probe.hpp"

namespace zkpp::test {
namespace {

constexpr const char* zookeeper_jar = "/usr/share/java/zookeeper.jar";

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

bool apache_zookeeper::available(std::string& why) {
  if (!std::filesystem::exists(zookeeper_jar)) {
    why = std::string(zookeeper_jar) + " missing (apt-get install zookeeper)";
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
  dir_ = make_temp_dir("zkpp-zookeeper");
  try {
    port_ = options_.port != 0 ? options_.port : free_port();
    std::filesystem::create_directory(dir_ / "data");
    std::string cfg = "tickTime=" + std::to_string(options_.tick_time_ms) +
                      "\ndataDir=" + (dir_ / "data").string() +
                      "\nclientPort=" + std::to_string(port_) +
                      "\nclientPortAddress=127.0.0.1\n"
                      "4lw.commands.whitelist=*\n"
                      "admin.enableServer=false\n"
                      "maxClientCnxns=0\n";
    for (const auto& line : options_.cfg_lines) cfg += line + "\n";
    write_file(dir_ / "zoo.cfg", cfg);
    // Without a configuration log4j stays silent, and a failed start would
    // leave nothing to show.
    write_file(
        dir_ / "log4j.properties",
        "log4j.rootLogger=INFO, CONSOLE\n"
        "log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{1}: %m%n\n");
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

void apache_zookeeper::stop() {
  process_.stop();
}

void apache_zookeeper::kill() {
  process_.kill();
}

void apache_zookeeper::start() {
  if (process_.running()) return;
  std::vector<std::string> argv{
      "java",
      "-Xmx256m",
      "-Dzookeeper.extendedTypesEnabled=true",
      "-Dznode.container.checkIntervalMs=1000",
      "-Dzookeeper.4lw.commands.whitelist=*",
      "-Dlog4j.configuration=file:" + (dir_ / "log4j.properties").string()};
  for (const auto& p : options_.java_properties) argv.push_back("-D" + p);
  argv.insert(argv.end(),
              {"-cp", std::string(zookeeper_jar) + ":/usr/share/java/*",
               "org.apache.zookeeper.server.ZooKeeperServerMain", (dir_ / "zoo.cfg").string()});
  process_ = child_process(argv, log_file());

  // Readiness is only observable by asking, so poll with a deadline.
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  std::string last = "no answer yet";
  for (;;) {
    if (!process_.running()) {
      throw std::runtime_error("Apache ZooKeeper on " + connect_string() +
                               " exited before serving; log tail:\n" + file_tail(log_file()));
    }
    try {
      auto answer = four_letter_word(port_, "ruok", std::chrono::seconds{2});
      if (answer == "imok") {
        last = probe_handshake(port_);
        if (last.empty()) return;
        last = "ruok answered imok but the handshake failed: " + last;
      } else {
        last = "ruok answered '" + answer + "'";
      }
    } catch (const std::exception& e) {
      last = e.what();
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  process_.kill();
  throw std::runtime_error("Apache ZooKeeper on " + connect_string() +
                           " did not answer ruok=imok " + "and a session handshake within " +
                           std::to_string(options_.start_timeout.count()) + " s (last: " + last +
                           "); log tail:\n" + file_tail(log_file()));
}

}  // namespace zkpp::test
