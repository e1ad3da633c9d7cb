// The guided recipes tour that scripts/demo.sh runs: several clients in one
// program (one session each) take a lock in turn with fencing tokens, elect a
// leader and fail over when it leaves, produce and consume a queue, meet at a
// double barrier and reload published configuration. Against a reference
// server started in this process, or a real ensemble.
//   zkpp-recipes-tour [--server HOST:PORT[,HOST:PORT...][/chroot]]

#include <algorithm>
#include <barrier>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "run_example.hpp"
#include "zkpp/client.hpp"
#include "zkpp/recipes/config.hpp"
#include "zkpp/recipes/distributed_queue.hpp"
#include "zkpp/recipes/double_barrier.hpp"
#include "zkpp/recipes/leader_latch.hpp"
#include "zkpp/recipes/mutex.hpp"

namespace {

using namespace std::chrono_literals;
const std::vector<std::string> names{"alice", "bob", "carol"};

std::mutex out_mutex;
void say(const std::string& line) {
  std::lock_guard lock{out_mutex};
  std::cout << "  " << line << std::endl;
}

void chapter(const std::string& title) {
  std::lock_guard lock{out_mutex};
  std::cout << "\n" << title << "\n";
}

// What the participants report from their threads and callbacks, waited for
// in order by the narrator; a report that does not come in 30 s ends the tour.
class reports {
 public:
  // Notifies under the lock: the narrator may destroy this as soon as it
  // has the last line.
  void push(std::string line) {
    std::lock_guard lock{m_};
    lines_.push_back(std::move(line));
    cv_.notify_all();
  }
  std::string next(const std::string& what) {
    std::unique_lock lock{m_};
    if (!cv_.wait_for(lock, 30s, [&] { return !lines_.empty(); }))
      throw std::runtime_error("no report within 30 s: waited for " + what);
    auto line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
};

// One session per participant, as in separate services.
struct sessions {
  explicit sessions(const std::string& servers) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      zk.push_back(std::make_unique<zkpp::client>(zkpp::client_options{.connect_string = servers}));
      zk.back()->connect();
    }
  }
  std::vector<std::unique_ptr<zkpp::client>> zk;
};

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("tour check failed: " + what);
  say("checked: " + what);
}

// In each round all three ask for the lock at once and get it one after
// the other. The lock node's czxid is a fencing token that only grows, so a
// storage service can refuse a holder that lost the lock without noticing.
void lock_in_turn(sessions& s, const std::string& root) {
  chapter("1. A lock taken in turn (zkpp::recipes::mutex, Curator InterProcessMutex layout)");
  std::mutex m;
  std::vector<std::int64_t> tokens;
  std::barrier round_start{static_cast<std::ptrdiff_t>(names.size())};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < names.size(); ++i)
    threads.emplace_back([&, i] {
      zkpp::recipes::mutex lock{*s.zk[i], root + "/lock"};
      for (int round = 0; round < 2; ++round) {
        round_start.arrive_and_wait();
        std::scoped_lock held{lock};
        std::lock_guard order{m};
        tokens.push_back(lock.fencing_token());
        say(names[i] + " holds the lock, fencing token " + std::to_string(tokens.back()));
      }
    });
  for (auto& t : threads) t.join();
  check(std::is_sorted(tokens.begin(), tokens.end()) &&
            std::adjacent_find(tokens.begin(), tokens.end()) == tokens.end(),
        "6 acquisitions, fencing tokens strictly increasing");
}

// Three latches; the leader leaves and the next in line takes over.
void elect_and_fail_over(sessions& s, const std::string& root) {
  chapter("2. Leader election with fail-over (zkpp::recipes::leader_latch)");
  reports told;
  std::vector<std::unique_ptr<zkpp::recipes::leader_latch>> latches;
  for (std::size_t i = 0; i < names.size(); ++i) {
    latches.push_back(
        std::make_unique<zkpp::recipes::leader_latch>(*s.zk[i], root + "/leader", names[i]));
    latches.back()->add_listener({.is_leader = [&told, i] { told.push(names[i]); }});
    latches.back()->start();
  }
  const auto first = told.next("a first leader");
  say(first + " leads");
  const auto leader =
      std::find_if(latches.begin(), latches.end(), [&](auto& l) { return l->id() == first; });
  say(first + " shuts down");
  (*leader)->close();
  const auto second = told.next("a new leader after the first left");
  say(second + " took over; the election's first node is now " +
      latches[first == names[0] ? 1 : 0]->participants().leader + "'s");
  check(second != first, "leadership moved to another participant");
  for (auto& l : latches) l->close();
}

// Two producers, then two consumers in claim mode: an item is removed only
// after it was processed, so a consumer that dies mid-item loses nothing.
void queue(sessions& s, const std::string& root) {
  chapter("3. A FIFO queue (zkpp::recipes::distributed_queue, Curator queue-<seq> layout)");
  constexpr int per_producer = 4;
  for (std::size_t p = 0; p < 2; ++p) {
    zkpp::recipes::distributed_queue q{*s.zk[p], root + "/queue"};
    for (int n = 0; n < per_producer; ++n) q.put(names[p] + "-order-" + std::to_string(n));
    say(names[p] + " produced " + std::to_string(per_producer) + " orders");
  }
  std::mutex m;
  std::multiset<std::string> consumed;
  std::vector<std::thread> consumers;
  for (std::size_t c = 1; c < names.size(); ++c)
    consumers.emplace_back([&, c] {
      zkpp::recipes::distributed_queue q{*s.zk[c], root + "/queue"};
      const auto process = [&](const std::string& item) {
        std::lock_guard lock{m};
        consumed.insert(item);
        say(names[c] + " processed " + item);
      };
      while (q.take_with(process, 500ms)) {
      }
    });
  for (auto& t : consumers) t.join();
  const std::set<std::string> distinct{consumed.begin(), consumed.end()};
  check(consumed.size() == 2 * per_producer && distinct.size() == consumed.size(),
        "every order processed exactly once");
}

// Nobody starts before all three arrived; nobody goes on before all finished.
void meet_at_barrier(sessions& s, const std::string& root) {
  chapter("4. A double barrier (zkpp::recipes::double_barrier)");
  reports told;
  std::vector<std::thread> members;
  for (std::size_t i = 0; i < names.size(); ++i)
    members.emplace_back([&, i] {
      zkpp::recipes::double_barrier barrier{*s.zk[i], root + "/barrier",
                                            static_cast<int>(names.size())};
      say(names[i] + " arrives");
      barrier.enter();
      told.push("entered");
      say(names[i] + " runs its part of the batch");
      barrier.leave();
      told.push("left");
    });
  std::vector<std::string> order;
  for (std::size_t n = 0; n < 2 * names.size(); ++n) order.push_back(told.next("barrier reports"));
  for (auto& t : members) t.join();
  check(std::count(order.begin(), order.begin() + 3, "entered") == 3,
        "all three entered before anyone left");
}

struct limits {
  int max_orders_per_second = 0;
};

limits parse_limits(std::string_view text) {
  limits l;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), l.max_orders_per_second);
  if (ec != std::errc{} || end != text.data() + text.size())
    throw std::invalid_argument("not a number: '" + std::string{text} + "'");
  return l;
}

// A service follows a config node; an operator publishes new values.
void reload_config(sessions& s, const std::string& root) {
  chapter("5. Live configuration (zkpp::recipes::config over a node_cache)");
  const auto path = root + "/limits";
  s.zk[0]->create(path, "100");
  zkpp::recipes::config<limits> cfg{*s.zk[1], path, parse_limits};
  reports told;
  cfg.on_change([&told](auto snap) {
    told.push(std::to_string(snap->value.max_orders_per_second) + " (version " +
              std::to_string(snap->version) + ")");
  });
  cfg.on_error([&told](std::exception_ptr) { told.push("rejected"); });
  cfg.start();
  say(names[1] + "'s service starts with limit " + told.next("the first configuration"));
  for (const auto* value : {"250", "fast", "400"}) {
    say(names[0] + " publishes '" + std::string{value} + "'");
    s.zk[0]->set_data(path, value);
    say(names[1] + "'s service: " + told.next("the service to see '" + std::string{value} + "'"));
  }
  check(cfg.snapshot()->value.max_orders_per_second == 400,
        "the bad value was rejected and the last good one is in use");
  cfg.close();
}

}  // namespace

int main(int argc, char** argv) {
  return zkpp::examples::run_example(
      argc, argv, "recipes-tour", [](const std::string& servers, const std::string& root) {
        sessions s{servers};
        std::cout << names.size() << " clients connected to " << servers << "\n";
        lock_in_turn(s, root);
        elect_and_fail_over(s, root);
        queue(s, root);
        meet_at_barrier(s, root);
        reload_config(s, root);
      });
}
