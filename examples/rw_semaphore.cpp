// Shared access with zkpp recipes: readers of a zkpp::recipes::shared_mutex
// hold it together while a writer waits for all of them (and readers that
// come after the writer wait for it), and a zkpp::recipes::semaphore lets at
// most 2 of 5 workers use a licence at a time. Against a reference server
// started in this process, or a real ensemble.
//   zkpp-rw-semaphore-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "crew.hpp"
#include "narration.hpp"
#include "run_example.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/semaphore.hpp"
#include "zkpp/recipes/shared_mutex.hpp"

namespace {

using zkpp::examples::crew;
using zkpp::examples::say;
constexpr std::chrono::seconds patience{20};

void read_write(const std::string& servers, const std::string& path) {
  std::cout << "shared_mutex: two readers at once, the writer after both\n";
  zkpp::client readers_zk{{.connect_string = servers}};
  readers_zk.connect();
  zkpp::client writer_zk{{.connect_string = servers}};
  writer_zk.connect();
  zkpp::recipes::shared_mutex reader_1{readers_zk, path};
  zkpp::recipes::shared_mutex reader_2{readers_zk, path};
  zkpp::recipes::shared_mutex writer{writer_zk, path};

  std::shared_lock first{reader_1};  // std::shared_lock works with the shared_mutex
  say("reader-1 reads");
  std::shared_lock second{reader_2};
  say("reader-2 reads at the same time");
  say(std::string{"writer tries while they read: "} +
      (writer.try_lock() ? "got it (wrong!)" : "must wait"));
  std::thread writing{[&] {
    if (!writer.try_lock_for(patience)) return say("writer gave up");
    say("writer writes, alone");
    writer.unlock();
  }};
  say("reader-1 done");
  first.unlock();
  say("reader-2 done");
  second.unlock();
  writing.join();
}

void licences(const std::string& servers, const std::string& path) {
  std::cout << "semaphore: 5 workers share 2 licences\n";
  std::mutex m;
  int holding = 0, most = 0;
  crew workers{servers, 5, "worker-", [&](const std::string& name, zkpp::client& session) {
                 zkpp::recipes::semaphore licences{session, path, /*max_leases=*/2};
                 auto lease = licences.try_acquire_for(patience);
                 if (!lease) return false;
                 {
                   std::lock_guard lock{m};
                   most = std::max(most, ++holding);
                   say(name + " works with a licence (" + std::to_string(holding) + " in use)");
                 }
                 std::this_thread::sleep_for(std::chrono::milliseconds{100});  // the work
                 {
                   std::lock_guard lock{m};
                   --holding;
                 }
                 lease->release();
                 return true;
               }};
  workers.join_and_check();
  say("at most " + std::to_string(most) + " licences were in use at once");
  if (most > 2) throw std::runtime_error("the semaphore let more than 2 in");
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(argc, argv, "rw-semaphore",
                                     [](const std::string& servers, const std::string& root) {
                                       read_write(servers, root + "/catalogue");
                                       licences(servers, root + "/licences");
                                     });
}
