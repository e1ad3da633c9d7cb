// Distributed locking with zkpp recipes: workers, one session each,
// increment a shared counter under a zkpp::recipes::mutex (writes guarded by
// the lock node, fencing tokens strictly increasing). Against a reference
// server started in this process, or a real ensemble. Leader election is in
// election.cpp.
//   zkpp-lock-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <charconv>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio/use_future.hpp>

#include "run_example.hpp"
#include "zkpp/client.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(argc, argv, "lock", counter_demo);
}
