// Work queues with zkpp::recipes::distributed_queue: items come out in the
// order they went in, several producers and consumers share a queue with
// every item taken once, and in consuming mode (claim, take_with) an item is
// removed only after it was processed, so a consumer that dies mid-item
// leaves it to another. Against a reference server started in this process,
// or a real ensemble.
//   zkpp-queue-example [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "crew.hpp"
#include "narration.hpp"
#include "run_example.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/distributed_queue.hpp"

namespace {

using zkpp::examples::say;
using zkpp::recipes::distributed_queue;
constexpr std::chrono::seconds patience{20};

std::string take(distributed_queue& queue) {
  auto item = queue.take(patience);
  if (!item) throw std::runtime_error("nothing to take from " + queue.path());
  return *item;
}

void fifo(const std::string& servers, const std::string& dir) {
  std::cout << "FIFO: items come out in the order they were put\n";
  zkpp::client zk{{.connect_string = servers}};
  zk.connect();
  distributed_queue queue{zk, dir};
  for (const auto* job : {"resize photo-1", "resize photo-2", "send newsletter"}) {
    const auto node = queue.put(job);
    say("put \"" + std::string{job} + "\" as " + node.substr(node.rfind('/') + 1));
  }
  for (int i = 0; i < 3; ++i) say("took \"" + take(queue) + "\"");
  zk.close();
}

// Every consumer stops at its "stop" item, put after all the work.
void producers_and_consumers(const std::string& servers, const std::string& dir) {
  constexpr int producers = 2, consumers = 3, jobs_each = 4;
  std::cout << producers << " producers x " << jobs_each << " jobs, " << consumers
            << " consumers: each job taken once\n";
  std::mutex m;
  std::map<std::string, std::string> taken_by;
  int takes = 0;
  zkpp::examples::crew consuming{servers, consumers, "consumer-",
                                 [&](const std::string& name, zkpp::client& session) {
                                   distributed_queue queue{session, dir};
                                   for (auto job = take(queue); job != "stop"; job = take(queue)) {
                                     std::lock_guard lock{m};
                                     taken_by[job] = name;
                                     ++takes;
                                   }
                                   return true;
                                 }};
  zkpp::examples::crew producing{servers, producers, "producer-",
                                 [&](const std::string& name, zkpp::client& session) {
                                   distributed_queue queue{session, dir};
                                   for (int j = 1; j <= jobs_each; ++j)
                                     queue.put(name + " job " + std::to_string(j));
                                   return true;
                                 }};
  producing.join_and_check();
  zkpp::client zk{{.connect_string = servers}};
  zk.connect();
  distributed_queue queue{zk, dir};
  for (int c = 0; c < consumers; ++c) queue.put("stop");
  consuming.join_and_check();
  for (const auto& [job, consumer] : taken_by) say(job + " taken by " + consumer);
  say(std::to_string(takes) + " takes of " + std::to_string(taken_by.size()) + " distinct jobs");
  if (takes != producers * jobs_each || taken_by.size() != std::size_t{producers * jobs_each})
    throw std::runtime_error("a job was lost or taken twice");
  zk.close();
}

void consuming_mode(const std::string& servers, const std::string& dir) {
  std::cout << "consuming mode: an item is removed only once it was processed\n";
  zkpp::client zk{{.connect_string = servers}};
  zk.connect();
  distributed_queue queue{zk, dir};
  queue.put("invoice 17");
  {
    zkpp::client doomed{{.connect_string = servers}};
    doomed.connect();
    distributed_queue its_queue{doomed, dir};
    auto claim = its_queue.claim(patience);
    if (!claim) throw std::runtime_error("nothing to claim");
    say("consumer A claimed \"" + claim->data() + "\" and dies before finishing it");
    doomed.close();  // its session ends: the claim marker goes, the item stays
  }
  const bool processed = queue.take_with(
      [](const std::string& item) { say("consumer B processes \"" + item + "\""); }, patience);
  say(processed ? "consumer B completed it: the item is gone" : "nothing for consumer B");
  zk.close();
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(argc, argv, "queue",
                                     [](const std::string& servers, const std::string& root) {
                                       fifo(servers, root + "/fifo");
                                       producers_and_consumers(servers, root + "/jobs");
                                       consuming_mode(servers, root + "/invoices");
                                     });
}
