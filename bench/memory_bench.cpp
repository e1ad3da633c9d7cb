// zkpp-memory-bench: memory cost of watches in the zkpp client and of
// znodes and sessions in a server, each measured as a difference before and
// after loading it (bench/memory.sh runs it against zkpp-server and Apache
// ZooKeeper and writes the table).
//   zkpp-memory-bench watches --server HOSTS [--count N]
//     the client's heap (mallinfo2) before and after registering N exists
//     watches on missing nodes; prints RESULT kind=watch ... bytes_per=B
//   zkpp-memory-bench znodes --server HOSTS --pid PID [--count N] [--size B] [--jvm]
//   zkpp-memory-bench sessions --server HOSTS --pid PID [--count N] [--jvm]
//     the server's resident set (VmRSS of PID) before and after creating N
//     znodes of B bytes (1000 per parent) / opening N sessions; with --jvm
//     also its Java heap in use after a full GC (jcmd), the fair figure for
//     a JVM whose resident set follows its heap sizing rather than its data.
// Every wait is bounded: the tool gives up after --time-limit seconds (600).

#include <malloc.h>

#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "zkpp/client.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string mode;
  std::string hosts;
  long pid = 0;
  long count = 0;
  int size = 10;
  bool jvm = false;
  double time_limit_s = 600;
};

std::optional<options> parse(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  options o;
  o.mode = argv[1];
  o.count = o.mode == "sessions" ? 1000 : o.mode == "znodes" ? 1000000 : 100000;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--server")
      o.hosts = value();
    else if (a == "--pid")
      o.pid = std::stol(value());
    else if (a == "--count")
      o.count = std::stol(value());
    else if (a == "--size")
      o.size = std::stoi(value());
    else if (a == "--time-limit")
      o.time_limit_s = std::stod(value());
    else if (a == "--jvm")
      o.jvm = true;
    else
      throw std::invalid_argument("unknown option " + a);
  }
  const bool server_mode = o.mode == "znodes" || o.mode == "sessions";
  if ((o.mode != "watches" && !server_mode) || o.hosts.empty() || o.count <= 0 ||
      (server_mode && o.pid <= 0))
    return std::nullopt;
  return o;
}

// Resident set of a process, in bytes.
long rss_bytes(long pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  throw std::runtime_error("no VmRSS for pid " + std::to_string(pid));
}

// The JVM's heap in use after a full collection, in bytes (jcmd).
long jvm_heap_used(long pid) {
  const auto pid_s = std::to_string(pid);
  if (std::system(("jcmd " + pid_s + " GC.run >/dev/null 2>&1").c_str()) != 0)
    throw std::runtime_error("jcmd GC.run failed for pid " + pid_s);
  std::unique_ptr<FILE, int (*)(FILE*)> out{
      ::popen(("jcmd " + pid_s + " GC.heap_info 2>/dev/null").c_str(), "r"), ::pclose};
  if (!out) throw std::runtime_error("cannot run jcmd");
  char line[512];
  while (std::fgets(line, sizeof line, out.get())) {
    // " garbage-first heap   total 262144K, used 12345K [...]"
    if (const char* used = std::strstr(line, " used "); used && std::strstr(line, "heap"))
      return std::atol(used + 6) * 1024;
  }
  throw std::runtime_error("no heap figure from jcmd GC.heap_info " + pid_s);
}

// Runs `issue(index, done)` for index 0..count-1, at most `window` in flight
// on `io`, until all completed or the deadline; the number of errors.
long pipelined(asio::io_context& io, long count, long window, clock_type::time_point deadline,
               const std::function<void(long, std::function<void(std::error_code)>)>& issue) {
  long issued = 0, completed = 0, errors = 0;
  std::error_code first_error;
  // After an error no more are issued: a client that fails requests at once
  // would otherwise recurse through pump() until the stack runs out.
  std::function<void()> pump = [&] {
    while (!first_error && issued < count && issued - completed < window)
      issue(issued++, [&](std::error_code ec) {
        ++completed;
        if (ec && !errors++) first_error = ec;
        pump();
      });
  };
  pump();
  while (completed < issued || (!first_error && issued < count)) {
    if (clock_type::now() > deadline)
      throw std::runtime_error("time limit: " + std::to_string(completed) + " of " +
                               std::to_string(count) + " completed");
    io.run_one_for(std::chrono::milliseconds{100});
  }
  if (first_error)
    throw std::runtime_error(std::to_string(errors) + " operations failed, the first with " +
                             first_error.message());
  return errors;
}

void result(const options& o, const char* measure, long before, long after) {
  std::printf("RESULT kind=%s measure=%s count=%ld before=%ld after=%ld bytes_per=%.1f\n",
              o.mode.c_str(), measure, o.count, before, after,
              static_cast<double>(after - before) / static_cast<double>(o.count));
  std::fflush(stdout);
}

// The server's figures before and after `load` runs.
void measure_server(const options& o, const std::function<void()>& load) {
  const long rss0 = rss_bytes(o.pid);
  const long heap0 = o.jvm ? jvm_heap_used(o.pid) : 0;
  load();
  const long rss1 = rss_bytes(o.pid);
  const long heap1 = o.jvm ? jvm_heap_used(o.pid) : 0;
  result(o, "rss", rss0, rss1);
  if (o.jvm) result(o, "jvm_heap_after_gc", heap0, heap1);
}

int run(const options& o) {
  const auto deadline = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                                std::chrono::duration<double>(o.time_limit_s));
  asio::io_context io;
  zkpp::client zk{io.get_executor(),
                  {.connect_string = o.hosts, .logger = [](zkpp::log_level l, std::string_view m) {
                     if (l != zkpp::log_level::debug) std::cerr << "client: " << m << "\n";
                   }}};
  auto connected = zk.async_connect(asio::use_future);
  while (connected.wait_for(std::chrono::seconds{0}) != std::future_status::ready) {
    if (clock_type::now() > deadline) throw std::runtime_error("cannot connect to " + o.hosts);
    io.run_one_for(std::chrono::milliseconds{100});
  }
  connected.get();
  const std::string root = "/zkpp-memory-bench-" + std::to_string(::getpid());
  const auto run_all = [&](long count, const auto& issue) {
    if (const auto errors = pipelined(io, count, 256, deadline, issue))
      throw std::runtime_error(std::to_string(errors) + " operations failed");
  };

  if (o.mode == "watches") {
    const auto heap = [] { return static_cast<long>(::mallinfo2().uordblks); };
    const long before = heap();
    run_all(o.count, [&](long i, auto done) {
      zk.async_exists(
          root + "/w" + std::to_string(i), [](const zkpp::watch_event&) {},
          [done](std::error_code ec, std::optional<zkpp::stat>) { done(ec); });
    });
    result(o, "client_heap", before, heap());
  } else if (o.mode == "znodes") {
    const std::string data(static_cast<std::size_t>(o.size), 'x');
    const long parents = (o.count + 999) / 1000;
    const auto parent = [&](long p) { return root + "/p" + std::to_string(p); };
    measure_server(o, [&] {
      run_all(1, [&](long, auto done) {
        zk.async_create(root, "", [done](std::error_code ec, std::string) { done(ec); });
      });
      run_all(parents, [&](long p, auto done) {
        zk.async_create(parent(p), "", [done](std::error_code ec, std::string) { done(ec); });
      });
      run_all(o.count, [&](long i, auto done) {
        zk.async_create(parent(i / 1000) + "/n" + std::to_string(i % 1000), data,
                        [done](std::error_code ec, std::string) { done(ec); });
      });
    });
  } else {
    std::vector<std::unique_ptr<zkpp::client>> sessions;
    // In waves: a server creating a thousand sessions at once (each a
    // logged transaction) can take longer than a connect timeout.
    measure_server(o, [&] {
      for (long first = 0; first < o.count; first += 100) {
        std::vector<std::future<void>> pending;
        for (long i = first; i < std::min(o.count, first + 100); ++i) {
          sessions.push_back(std::make_unique<zkpp::client>(
              io.get_executor(), zkpp::client_options{.connect_string = o.hosts}));
          pending.push_back(sessions.back()->async_connect(asio::use_future));
        }
        for (auto& p : pending) {
          while (p.wait_for(std::chrono::seconds{0}) != std::future_status::ready) {
            if (clock_type::now() > deadline) throw std::runtime_error("sessions did not connect");
            io.run_one_for(std::chrono::milliseconds{100});
          }
          p.get();
        }
      }
    });
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto o = parse(argc, argv);
    if (!o) {
      std::cerr << "usage: zkpp-memory-bench watches|znodes|sessions --server HOSTS "
                   "[--pid PID] [--count N] [--size B] [--jvm] [--time-limit S]\n";
      return 2;
    }
    return run(*o);
  } catch (const std::exception& e) {
    std::cerr << "zkpp-memory-bench: " << e.what() << "\n";
    return 1;
  }
}
