// Counters and ids with zkpp recipes: a zkpp::recipes::shared_count that
// workers bump by compare-and-set while a listener follows it, a
// zkpp::recipes::atomic_long incremented from several sessions at once, and
// a zkpp::recipes::unique_id_generator handing out distinct ids. Against a
// reference server started in this process, or a real ensemble.
//   zkpp-counters-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <cstdint>
#include <iostream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

#include "crew.hpp"
#include "narration.hpp"
#include "run_example.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/atomic_long.hpp"
#include "zkpp/recipes/shared_count.hpp"
#include "zkpp/recipes/unique_id.hpp"

namespace {

using zkpp::examples::crew;
using zkpp::examples::say;

void shared_counter(const std::string& servers, const std::string& path) {
  std::cout << "shared_count: 3 workers add 2 each by compare-and-set, a listener follows\n";
  zkpp::client zk{{.connect_string = servers}};
  zk.connect();
  zkpp::recipes::shared_count watched{zk, path, /*seed=*/0};
  zkpp::examples::told_log listener{"listener"};
  // A burst may be told as its last value only: the listener is sure to see 6, not every step.
  std::mutex m;
  std::int32_t last_told = -1;
  watched.add_listener([&](zkpp::recipes::versioned_count v) {
    std::lock_guard lock{m};
    last_told = v.value;
    listener.told("count " + std::to_string(v.value) + " (version " + std::to_string(v.version) +
                  ")");
  });
  watched.start();
  crew workers{servers, 3, "worker-", [&](const std::string& name, zkpp::client& session) {
                 zkpp::recipes::shared_count count{session, path, 0};
                 for (int i = 0; i < 2; ++i) {
                   int conflicts = 0;
                   for (auto seen = count.get(); !count.try_set(seen, seen.value + 1);
                        seen = count.get())
                     ++conflicts;
                   say(name + " added 1 (" + std::to_string(conflicts) + " conflicts)");
                 }
                 return true;
               }};
  workers.join_and_check();
  for (int told = 1;; ++told) {
    listener.await(told);
    std::lock_guard lock{m};
    if (last_told == 6) break;
  }
  say("final count " + std::to_string(watched.get().value) + " (expected 6)");
  watched.close();
  zk.close();
}

void total(const std::string& servers, const std::string& path) {
  std::cout << "atomic_long: 4 sessions x 25 increments\n";
  crew adders{servers, 4, "adder-", [&](const std::string& name, zkpp::client& session) {
                zkpp::recipes::atomic_long counter{session, path};
                for (int i = 0; i < 25; ++i)
                  while (!counter.increment().succeeded)
                    say(name + " ran out of tries under contention, tries again");
                return true;
              }};
  adders.join_and_check();
  zkpp::client zk{{.connect_string = servers}};
  zk.connect();
  const auto value = zkpp::recipes::atomic_long{zk, path}.get().post_value;
  say("total " + std::to_string(value) + " (expected 100)");
  if (value != 100) throw std::runtime_error("increments were lost");
  zk.close();
}

void ids(const std::string& servers, const std::string& path) {
  std::cout << "unique_id_generator: 2 sessions draw 3 ids each\n";
  std::mutex m;
  std::set<std::int64_t> drawn;
  crew clients{servers, 2, "client-", [&](const std::string& name, zkpp::client& session) {
                 zkpp::recipes::unique_id_generator generator{session, path};
                 for (int i = 0; i < 3; ++i) {
                   const auto id = generator.next();
                   say(name + " got id " + std::to_string(id));
                   std::lock_guard lock{m};
                   drawn.insert(id);
                 }
                 return true;
               }};
  clients.join_and_check();
  say(std::to_string(drawn.size()) + " distinct ids (expected 6)");
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(argc, argv, "counters",
                                     [](const std::string& servers, const std::string& root) {
                                       shared_counter(servers, root + "/jobs-done");
                                       total(servers, root + "/total");
                                       ids(servers, root + "/ids");
                                     });
}
