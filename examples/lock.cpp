// Distributed locking and leader election with zkpp recipes: workers, one
// session each, increment a shared counter under a zkpp::recipes::mutex
// (writes guarded by the lock node, fencing tokens strictly increasing), then
// participants elect a leader with zkpp::recipes::leader_latch and hand
// leadership over on close. Against a reference server started in this
// process, or a real ensemble.
//   zkpp-lock-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <unistd.h>

#include <charconv>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio/use_future.hpp>

#include "example_servers.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/leader_latch.hpp"
#include "zkpp/recipes/mutex.hpp"

namespace {

std::mutex out_mutex;
void say(const std::string& line) {
  std::lock_guard lock{out_mutex};
  std::cout << "  " << line << std::endl;
}

std::int64_t to_int(const std::string& s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Each worker: lock, read the counter, write it back plus one (guarded by
// the lock node), unlock; `std::unique_lock` works with the mutex.
void counter_demo(const std::string& servers, const std::string& root) {
  std::cout << "mutex: 4 workers x 5 increments\n";
  zkpp::client admin{{.connect_string = servers}};
  admin.connect();
  admin.create(root, "");
  admin.create(root + "/counter", "0");
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      zkpp::client zk{{.connect_string = servers}};
      zk.connect();
      zkpp::recipes::mutex lock{zk, root + "/lock"};
      lock.on_revoked([w](zkpp::session_state s) {
        say("worker " + std::to_string(w) + " lost the lock: " + to_string(s));
      });
      for (int i = 0; i < 5; ++i) {
        std::unique_lock guard{lock};
        const auto [data, stat] = zk.get_data(root + "/counter");
        const auto next = std::to_string(to_int(data) + 1);
        lock.async_guarded_multi({zkpp::op::set_data{root + "/counter", next, stat.version}},
                                 asio::use_future)
            .get();
        say("worker " + std::to_string(w) + " wrote " + next + " with fencing token " +
            std::to_string(lock.fencing_token()));
      }
      zk.close();
    });
  }
  for (auto& t : workers) t.join();
  say("final count: " + admin.get_data(root + "/counter").data + " (expected 20)");
  admin.close();
}

// Three participants; the leader closes and the next in line takes over.
void election_demo(const std::string& servers, const std::string& root) {
  std::cout << "leader latch: 3 participants\n";
  std::vector<std::unique_ptr<zkpp::client>> sessions;
  std::vector<std::unique_ptr<zkpp::recipes::leader_latch>> latches;
  for (const auto* id : {"alpha", "beta", "gamma"}) {
    sessions.push_back(
        std::make_unique<zkpp::client>(zkpp::client_options{.connect_string = servers}));
    sessions.back()->connect();
    latches.push_back(
        std::make_unique<zkpp::recipes::leader_latch>(*sessions.back(), root + "/election", id));
    latches.back()->add_listener(
        {.is_leader = [id] { say(std::string{id} + " is the leader"); },
         .not_leader = [id] { say(std::string{id} + " is not the leader"); }});
    latches.back()->start();
    // alpha joins alone, so it leads.
    if (latches.size() == 1) latches.back()->await_leadership(std::chrono::seconds{10});
  }
  const auto view = latches.front()->participants();
  std::string ids;
  for (const auto& id : view.ids) ids += " " + id;
  say("leader: " + view.leader + "; participants:" + ids);
  latches.front()->close();  // deletes its node: the next in line leads at once
  for (auto& latch : latches)
    if (view.ids.size() > 1 && latch->id() == view.ids[1] &&
        latch->await_leadership(std::chrono::seconds{10}))
      say("after " + view.leader + " closed, " + latch->id() + " leads");
  latches.clear();
  for (auto& s : sessions) s->close();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const zkpp::examples::example_servers chosen{argc, argv};
    const auto& servers = chosen.hosts();
    const std::string root = "/zkpp-lock-example-" + std::to_string(::getpid());
    counter_demo(servers, root);
    election_demo(servers, root);

    zkpp::client zk{{.connect_string = servers}};
    zk.connect();
    // The lock and election paths are containers: the server may reap them any time.
    std::error_code ec;
    for (const auto& dir : zk.get_children(root)) {
      for (const auto& child : zk.get_children(root + "/" + dir, {}, ec))
        zk.remove(root + "/" + dir + "/" + child, -1, ec);
      zk.remove(root + "/" + dir, -1, ec);
    }
    zk.remove(root);
    zk.close();
    std::cout << "lock example finished\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "zkpp-lock-example: " << e.what() << "\n";
    return 1;
  }
}
