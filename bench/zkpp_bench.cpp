// zkpp-bench: a bounded load generator for the zkpp client against any
// ZooKeeper server; prints one RESULT line per phase (see load_options.hpp).

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_future.hpp>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "handover_phase.hpp"
#include "load_options.hpp"
#include "lock_phase.hpp"
#include "phase_driver.hpp"
#include "threaded_phase.hpp"
#include "zkpp/client.hpp"

namespace {

using namespace zkpp::bench;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct worker : worker_counts {
  zkpp::client* client = nullptr;
};

// Runs `issue(worker, index, done)` `total` times spread over the workers,
// at most `window` in flight per worker, on `io` (one thread: a request's
// whole path stays on it). Stops issuing at the time limit; gives up waiting
// for stragglers `drain_grace` later.
template <class Issue>
phase_result run_phase(const std::string& name, asio::io_context& io, std::vector<worker>& workers,
                       const std::vector<std::int64_t>& targets, int window, double time_limit_s,
                       Issue issue, bool& drained) {
  bool stop = false;
  for (std::size_t i = 0; i < workers.size(); ++i) workers[i].start(targets[i]);
  std::function<void(worker&)> pump = [&](worker& w) {
    while (!stop && w.in_flight < window && w.issued < w.target) {
      const auto index = w.issued++;
      ++w.in_flight;
      const auto t0 = clock_type::now();
      issue(w, index, [&, t0, wp = &w](std::error_code ec) {
        wp->latencies_us.push_back(micros_since(t0));
        if (ec) ++wp->errors;
        --wp->in_flight;
        ++wp->completed;
        pump(*wp);
      });
    }
  };
  const auto start = clock_type::now();
  const auto limit = start + std::chrono::duration_cast<clock_type::duration>(
                                 std::chrono::duration<double>(time_limit_s));
  for (auto& w : workers) asio::post(io, [&, wp = &w] { pump(*wp); });
  auto busy = [&] {
    for (const auto& w : workers)
      if (w.in_flight > 0 || (!stop && w.issued < w.target)) return true;
    return false;
  };
  io.restart();
  drained = wait_drained(
      busy, [&] { io.run_one_for(50ms); }, limit, [&] { stop = true; });
  phase_result r;
  r.op = name;
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  for (const auto& w : workers) w.merge_into(r);
  return r;
}

// Blocking getData, one at a time per client, each client on its own thread.
phase_result run_sync_gets(std::vector<std::unique_ptr<zkpp::client>>& clients,
                           const std::string& node, std::int64_t total, double time_limit_s) {
  const auto targets = split(total, clients.size());
  return run_threaded_phase("syncget", clients.size(), time_limit_s,
                            [&](std::size_t i, phase_result& part, auto limit) {
                              for (std::int64_t n = 0; n < targets[i]; ++n) {
                                if (clock_type::now() >= limit) {
                                  part.truncated = true;
                                  break;
                                }
                                std::error_code ec;
                                const auto t0 = clock_type::now();
                                clients[i]->get_data(node, {}, ec);
                                part.latencies_us.push_back(micros_since(t0));
                                if (ec) ++part.errors;
                              }
                            });
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed =
      parse_load_options(argc, argv, {"get", "create", "syncget", "set", "lock", "handover"});
  if (!parsed) return exit_usage;
  const auto& o = *parsed;

  // Blocking workloads give each client its own I/O thread; pipelined ones
  // run every client on `io`, driven by this thread.
  const bool own_threads = o.op == "syncget" || o.op == "lock" || o.op == "handover";
  if (o.op == "handover" && o.clients < 2) {
    std::cerr << "zkpp-bench: --op handover needs --clients 2 or more\n";
    return exit_usage;
  }
  asio::io_context io;
  std::vector<std::unique_ptr<zkpp::client>> clients;
  try {
    for (int i = 0; i < o.clients; ++i) {
      if (own_threads) {
        clients.push_back(
            std::make_unique<zkpp::client>(zkpp::client_options{.connect_string = o.hosts}));
      } else {
        clients.push_back(std::make_unique<zkpp::client>(
            io.get_executor(), zkpp::client_options{.connect_string = o.hosts}));
      }
    }
    for (auto& c : clients) {
      auto connected = c->async_connect(asio::use_future);
      // The client bounds its own connect attempt; this loop only runs it.
      while (!own_threads && connected.wait_for(0s) != std::future_status::ready)
        io.run_one_for(50ms);
      connected.get();
    }
  } catch (const std::exception& e) {
    std::cerr << "zkpp-bench: cannot connect to " << o.hosts << ": " << e.what() << "\n";
    return exit_errors;
  }
  std::cerr << "zkpp-bench: " << clients.size() << " session(s) connected to " << o.hosts << "\n";

  // Set-up and tear-down of scratch nodes use a client of their own thread.
  zkpp::client admin{{.connect_string = o.hosts}};
  const std::string root = "/zkbench-" + o.label + "-" + std::to_string(::getpid());
  const std::string node = root + "/data";
  const std::string value(static_cast<std::size_t>(o.size), 'x');
  int status = exit_ok;
  try {
    admin.connect();
    admin.create(root, "");
    admin.create(node, value);

    std::vector<worker> workers(clients.size());
    for (std::size_t i = 0; i < clients.size(); ++i) workers[i].client = clients[i].get();
    bool drained = true;
    auto report = [&](phase_result r) {
      print_result("zkpp", o, r);
      if (r.errors > 0) status = exit_errors;
    };
    auto get_op = [&](worker& w, std::int64_t, auto done) {
      w.client->async_get_data(node, [done](std::error_code ec, zkpp::data_result) { done(ec); });
    };
    auto set_op = [&](worker& w, std::int64_t, auto done) {
      w.client->async_set_data(node, value, -1,
                               [done](std::error_code ec, zkpp::stat) { done(ec); });
    };
    auto create_op = [&](worker& w, std::int64_t, auto done) {
      w.client->async_create(root + "/c-", value,
                             {.mode = zkpp::create_mode::persistent_sequential},
                             [done, &w](std::error_code ec, std::string p) {
                               if (!ec) w.created.push_back(std::move(p));
                               done(ec);
                             });
    };
    auto delete_op = [&](worker& w, std::int64_t i, auto done) {
      w.client->async_remove(w.created[static_cast<std::size_t>(i)], -1, done);
    };

    const auto warmup_targets = split(o.warmup, workers.size());
    const auto targets = split(o.ops, workers.size());
    if (o.op == "lock") {
      report(run_lock_phase(clients, root + "/lock", o.cycles, o.time_limit_s));
    } else if (o.op == "handover") {
      report(run_handover_phase(clients, root + "/election", o.cycles, o.time_limit_s));
    } else if (o.op == "syncget") {
      if (o.warmup > 0) run_sync_gets(clients, node, o.warmup, o.time_limit_s);
      report(run_sync_gets(clients, node, o.ops, o.time_limit_s));
    } else if (o.op == "create") {
      if (o.warmup > 0) {
        run_phase("create", io, workers, warmup_targets, o.window, o.time_limit_s, create_op,
                  drained);
        for (auto& w : workers) w.created.clear();
      }
      report(
          run_phase("create", io, workers, targets, o.window, o.time_limit_s, create_op, drained));
      if (drained) {
        // Each worker deletes exactly what it created.
        std::vector<std::int64_t> targets;
        for (auto& w : workers) targets.push_back(static_cast<std::int64_t>(w.created.size()));
        report(run_phase("delete", io, workers, targets, o.window, o.time_limit_s, delete_op,
                         drained));
      }
    } else {
      const bool is_get = o.op == "get";
      if (o.warmup > 0) {
        if (is_get)
          run_phase("get", io, workers, warmup_targets, o.window, o.time_limit_s, get_op, drained);
        else
          run_phase("set", io, workers, warmup_targets, o.window, o.time_limit_s, set_op, drained);
      }
      report(
          is_get
              ? run_phase("get", io, workers, targets, o.window, o.time_limit_s, get_op, drained)
              : run_phase("set", io, workers, targets, o.window, o.time_limit_s, set_op, drained));
    }
    if (!drained) {
      std::cerr << "zkpp-bench: requests still in flight 15 s after the time limit\n";
      return exit_no_drain;
    }
  } catch (const std::exception& e) {
    std::cerr << "zkpp-bench: " << e.what() << "\n";
    status = exit_errors;
  }

  std::error_code ignored;
  for (const auto& child : admin.get_children(root, {}, ignored))
    admin.remove(root + "/" + child, -1, ignored);
  admin.remove(root, -1, ignored);
  return status;
}
