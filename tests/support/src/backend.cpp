#include "zkpp/test/backend.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "zkpp/test/apache_zookeeper.hpp"
#include "zkpp/test/process.hpp"

namespace zkpp::test {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The reference server binary: it prints `zkpp-server listening on ADDR:PORT`.
class zkpp_server {
 public:
  explicit zkpp_server(const std::string& binary) : dir_(make_temp_dir("zkpp-server")) {
    auto log = dir_ / "zkpp-server.log";
    // The same switches the Apache ZooKeeper fixture turns on: TTL nodes,
    // every four-letter word, fast container/TTL reaping.
    process_ = child_process({binary, "--port", "0", "--extended-types-enabled", "true",
                              "--4lw-whitelist", "*", "--reap-interval", "1000"},
                             log);
    // The address only appears in the log, so poll it with a deadline.
    const std::string marker = "zkpp-server listening on ";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    for (;;) {
      auto text = file_tail(log, 1 << 16);
      if (auto at = text.find(marker); at != std::string::npos) {
        auto end = text.find('\n', at);
        if (end != std::string::npos) {
          connect_string_ = text.substr(at + marker.size(), end - at - marker.size());
          if (!connect_string_.empty() && connect_string_.back() == '\r')
            connect_string_.pop_back();
          return;
        }
      }
      if (!process_.running())
        throw std::runtime_error(binary + " exited before printing '" + marker +
                                 "ADDR:PORT'; log:\n" + file_tail(log));
      if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error(binary + " did not print '" + marker +
                                 "ADDR:PORT' within 30 s; log:\n" + file_tail(log));
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
  }
  ~zkpp_server() {
    process_.stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& connect_string() const { return connect_string_; }

 private:
  std::filesystem::path dir_;
  child_process process_;
  std::string connect_string_;
};

struct backend_state {
  std::unique_ptr<apache_zookeeper> zookeeper;
  std::unique_ptr<zkpp_server> server;
  std::string connect_string;
  std::string error;
};

backend_state start_backend() {
  backend_state s;
  if (auto external = env("ZKPP_TEST_SERVERS"); !external.empty()) {
    s.connect_string = external;
    return s;
  }
  try {
    auto name = backend_name();
    if (name == "zookeeper") {
      s.zookeeper = std::make_unique<apache_zookeeper>();
      s.connect_string = s.zookeeper->connect_string();
    } else if (name == "zkpp") {
#ifdef ZKPP_SERVER_BINARY
      s.server = std::make_unique<zkpp_server>(ZKPP_SERVER_BINARY);
      s.connect_string = s.server->connect_string();
#else
      s.error = "ZKPP_TEST_BACKEND=zkpp but the zkpp-server target was not built";
#endif
    } else {
      s.error = "unknown ZKPP_TEST_BACKEND '" + name + "' (expected zookeeper or zkpp)";
    }
  } catch (const std::exception& e) {
    s.error = e.what();
  }
  return s;
}

// Started once per program, on first use; the static's destructor stops it.
const backend_state& state() {
  static const backend_state s = start_backend();
  return s;
}

}  // namespace

std::string backend_name() {
  auto name = env("ZKPP_TEST_BACKEND");
  if (!name.empty()) return name;
  return env("ZKPP_TEST_SERVERS").empty() ? "zookeeper" : "external";
}

std::string servers() {
  const auto& s = state();
  if (!s.error.empty()) throw std::runtime_error("test backend " + backend_name() + ": " + s.error);
  return s.connect_string;
}

std::string servers_unavailable_reason() {
  const auto& s = state();
  return s.error.empty() ? std::string{} : backend_name() + ": " + s.error;
}

bool in_ci() {
  return env("CI") == "true";
}

std::string unique_path(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  std::string name(prefix);
  // Parameterised test names contain '/', which would nest the path.
  for (auto& c : name)
    if (c == '/') c = '_';
  return "/zkpp-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + name;
}

}  // namespace zkpp::test
