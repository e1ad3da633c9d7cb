// zkpp-c-bench: zkpp-bench's workloads driven through the official ZooKeeper
// C client (libzookeeper_mt, asynchronous API), with the same options, RESULT
// line and exit codes, so both clients can be compared on the same server.

#include <zookeeper/zookeeper.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "load_options.hpp"
#include "phase_driver.hpp"
#include "threaded_phase.hpp"

namespace {

using namespace zkpp::bench;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int session_timeout_ms = 30000;
constexpr auto connect_deadline = 30s;

enum class op_kind { get, set, create, remove };

struct phase_state;

// One session. Its completions all arrive on that session's completion
// thread while the main thread starts each phase, so `m` guards the rest.
struct worker : worker_counts {
  zhandle_t* zh = nullptr;
  phase_state* phase = nullptr;
  std::mutex m;
  // ZooKeeper answers a session's requests in order and the C client runs
  // their completions in that order, so the oldest send time is the reply's.
  std::deque<clock_type::time_point> sent;
};

struct phase_state {
  op_kind kind = op_kind::get;
  int window = 1;
  std::string node;
  std::string create_prefix;
  std::string value;
  std::atomic<bool> stop{false};
  std::mutex m;
  std::condition_variable progress;
};

void pump(worker& w);

// Runs on the completion thread of `data`'s session.
void complete(const void* data, int rc, const char* created_path) {
  auto& w = *static_cast<worker*>(const_cast<void*>(data));
  bool idle = false;
  {
    std::lock_guard lock{w.m};
    w.latencies_us.push_back(micros_since(w.sent.front()));
    w.sent.pop_front();
    if (rc != ZOK) ++w.errors;
    if (rc == ZOK && created_path != nullptr) w.created.emplace_back(created_path);
    --w.in_flight;
    ++w.completed;
    pump(w);
    idle = w.in_flight == 0;
  }
  if (idle) {
    std::lock_guard lock{w.phase->m};
    w.phase->progress.notify_all();
  }
}

void on_data(int rc, const char*, int, const Stat*, const void* data) {
  complete(data, rc, nullptr);
}
void on_stat(int rc, const Stat*, const void* data) {
  complete(data, rc, nullptr);
}
void on_string(int rc, const char* path, const void* data) {
  complete(data, rc, path);
}
void on_void(int rc, const void* data) {
  complete(data, rc, nullptr);
}

int issue(worker& w, std::int64_t index) {
  const auto& p = *w.phase;
  const int len = static_cast<int>(p.value.size());
  switch (p.kind) {
    case op_kind::get:
      return zoo_aget(w.zh, p.node.c_str(), 0, on_data, &w);
    case op_kind::set:
      return zoo_aset(w.zh, p.node.c_str(), p.value.data(), len, -1, on_stat, &w);
    case op_kind::create:
      return zoo_acreate(w.zh, p.create_prefix.c_str(), p.value.data(), len, &ZOO_OPEN_ACL_UNSAFE,
                         ZOO_PERSISTENT_SEQUENTIAL, on_string, &w);
    case op_kind::remove:
      return zoo_adelete(w.zh, w.created[static_cast<std::size_t>(index)].c_str(), -1, on_void, &w);
  }
  return ZBADARGUMENTS;
}

// Keeps up to `window` requests in flight; called with w.m held.
void pump(worker& w) {
  while (!w.phase->stop && w.in_flight < w.phase->window && w.issued < w.target) {
    const auto index = w.issued++;
    w.sent.push_back(clock_type::now());
    if (issue(w, index) == ZOK) {
      ++w.in_flight;
      continue;
    }
    // Refused before sending: no completion will come.
    w.latencies_us.push_back(micros_since(w.sent.back()));
    w.sent.pop_back();
    ++w.errors;
    ++w.completed;
  }
}

// Issues `targets[i]` requests on worker i. Stops issuing at the time limit;
// gives up waiting for stragglers `drain_grace` later.
phase_result run_phase(const char* name, phase_state& phase,
                       std::vector<std::unique_ptr<worker>>& workers,
                       const std::vector<std::int64_t>& targets, double time_limit_s,
                       bool& drained) {
  phase.stop = false;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    auto& w = *workers[i];
    std::lock_guard lock{w.m};
    w.start(targets[i]);
    w.sent.clear();
  }
  const auto start = clock_type::now();
  const auto limit = start + std::chrono::duration_cast<clock_type::duration>(
                                 std::chrono::duration<double>(time_limit_s));
  for (auto& w : workers) {
    std::lock_guard lock{w->m};
    pump(*w);
  }
  auto busy = [&] {
    for (auto& w : workers) {
      std::lock_guard lock{w->m};
      if (w->in_flight > 0 || (!phase.stop && w->issued < w->target)) return true;
    }
    return false;
  };
  {
    std::unique_lock lock{phase.m};
    drained = wait_drained(
        busy, [&] { phase.progress.wait_for(lock, 50ms); }, limit, [&] { phase.stop = true; });
  }
  phase_result r;
  r.op = name;
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  for (auto& w : workers) {
    std::lock_guard lock{w->m};
    w->merge_into(r);
  }
  return r;
}

// Blocking zoo_get, one at a time per session, each session on its own thread.
phase_result run_sync_gets(std::vector<std::unique_ptr<worker>>& workers, const std::string& node,
                           int size, std::int64_t total, double time_limit_s) {
  const auto targets = split(total, workers.size());
  return run_threaded_phase(
      "syncget", workers.size(), time_limit_s, [&](std::size_t i, phase_result& part, auto limit) {
        std::vector<char> buffer(static_cast<std::size_t>(std::max(size, 1)));
        for (std::int64_t n = 0; n < targets[i]; ++n) {
          if (clock_type::now() >= limit) {
            part.truncated = true;
            break;
          }
          int len = static_cast<int>(buffer.size());
          Stat stat{};
          const auto t0 = clock_type::now();
          const int rc = zoo_get(workers[i]->zh, node.c_str(), 0, buffer.data(), &len, &stat);
          part.latencies_us.push_back(micros_since(t0));
          if (rc != ZOK) ++part.errors;
        }
      });
}

struct session_state {
  std::mutex m;
  std::condition_variable changed;
  int state = 0;
};

void on_session_event(zhandle_t*, int type, int state, const char*, void* context) {
  if (type != ZOO_SESSION_EVENT) return;
  auto& s = *static_cast<session_state*>(context);
  std::lock_guard lock{s.m};
  s.state = state;
  s.changed.notify_all();
}

// A connected session, or nullptr once `connect_deadline` has passed.
zhandle_t* connect(const std::string& hosts, session_state& s) {
  zhandle_t* zh =
      zookeeper_init(hosts.c_str(), on_session_event, session_timeout_ms, nullptr, &s, 0);
  if (zh == nullptr) return nullptr;
  std::unique_lock lock{s.m};
  if (!s.changed.wait_for(lock, connect_deadline, [&] { return s.state == ZOO_CONNECTED_STATE; })) {
    lock.unlock();
    zookeeper_close(zh);
    return nullptr;
  }
  return zh;
}

void remove_tree(zhandle_t* admin, const std::string& root) {
  String_vector children{};
  if (zoo_get_children(admin, root.c_str(), 0, &children) == ZOK) {
    for (int i = 0; i < children.count; ++i)
      zoo_delete(admin, (root + "/" + children.data[i]).c_str(), -1);
    deallocate_String_vector(&children);
  }
  zoo_delete(admin, root.c_str(), -1);
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = parse_load_options(argc, argv, {"get", "create", "syncget", "set"});
  if (!parsed) return exit_usage;
  const auto& o = *parsed;
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);

  // Sessions (and their threads) outlive the workers only until the end of main.
  std::vector<std::unique_ptr<session_state>> sessions;
  std::vector<std::unique_ptr<worker>> workers;
  phase_state phase;
  auto close_all = [&] {
    for (auto& w : workers)
      if (w->zh != nullptr) zookeeper_close(w->zh);
  };
  for (int i = 0; i < o.clients + 1; ++i) {
    sessions.push_back(std::make_unique<session_state>());
    auto w = std::make_unique<worker>();
    w->phase = &phase;
    w->zh = connect(o.hosts, *sessions.back());
    const bool ok = w->zh != nullptr;
    workers.push_back(std::move(w));
    if (!ok) {
      std::cerr << "zkpp-c-bench: cannot connect to " << o.hosts << "\n";
      close_all();
      return exit_errors;
    }
  }
  // The last session sets up and tears down the scratch nodes.
  std::unique_ptr<worker> admin_worker = std::move(workers.back());
  workers.pop_back();
  zhandle_t* admin = admin_worker->zh;
  std::cerr << "zkpp-c-bench: " << workers.size() << " session(s) connected to " << o.hosts << "\n";

  const std::string root = "/zkbench-" + o.label + "-" + std::to_string(::getpid());
  phase.node = root + "/data";
  phase.create_prefix = root + "/c-";
  phase.value.assign(static_cast<std::size_t>(o.size), 'x');
  phase.window = o.window;
  int status = exit_ok;
  bool drained = true;
  const int len = static_cast<int>(phase.value.size());
  if (zoo_create(admin, root.c_str(), "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, nullptr, 0) !=
          ZOK ||
      zoo_create(admin, phase.node.c_str(), phase.value.data(), len, &ZOO_OPEN_ACL_UNSAFE,
                 ZOO_PERSISTENT, nullptr, 0) != ZOK) {
    std::cerr << "zkpp-c-bench: cannot create " << phase.node << "\n";
    status = exit_errors;
  } else {
    auto report = [&](phase_result r) {
      print_result("c", o, r);
      if (r.errors > 0) status = exit_errors;
    };
    const auto warmup_targets = split(o.warmup, workers.size());
    const auto targets = split(o.ops, workers.size());
    if (o.op == "syncget") {
      if (o.warmup > 0) run_sync_gets(workers, phase.node, o.size, o.warmup, o.time_limit_s);
      report(run_sync_gets(workers, phase.node, o.size, o.ops, o.time_limit_s));
    } else {
      const char* name = o.op.c_str();
      phase.kind = o.op == "get" ? op_kind::get : o.op == "set" ? op_kind::set : op_kind::create;
      if (o.warmup > 0) {
        run_phase(name, phase, workers, warmup_targets, o.time_limit_s, drained);
        for (auto& w : workers) {
          std::lock_guard lock{w->m};
          w->created.clear();
        }
      }
      if (drained) report(run_phase(name, phase, workers, targets, o.time_limit_s, drained));
      if (drained && phase.kind == op_kind::create) {
        // Each session deletes exactly what it created.
        std::vector<std::int64_t> created;
        for (auto& w : workers) {
          std::lock_guard lock{w->m};
          created.push_back(static_cast<std::int64_t>(w->created.size()));
        }
        phase.kind = op_kind::remove;
        report(run_phase("delete", phase, workers, created, o.time_limit_s, drained));
      }
    }
  }
  if (!drained) {
    // Completions may still arrive and touch the workers: leave without
    // closing the sessions (the server expires them).
    std::cerr << "zkpp-c-bench: requests still in flight 15 s after the time limit\n";
    std::fflush(stdout);
    std::_Exit(exit_no_drain);
  }
  remove_tree(admin, root);
  zookeeper_close(admin);
  close_all();
  return status;
}
