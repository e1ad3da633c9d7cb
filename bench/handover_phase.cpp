#include "handover_phase.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

#include "threaded_phase.hpp"
#include "zkpp/recipes/leader_latch.hpp"

namespace zkpp::bench {
namespace {

// Indexes of participants told they lead, handed over from client threads.
class leader_queue {
 public:
  void push(std::size_t i) {
    std::lock_guard lock{mutex_};
    leaders_.push_back(i);
    cv_.notify_all();
  }
  // The next leader other than `previous`, or nullopt at `limit`.
  std::optional<std::size_t> next_other_than(std::size_t previous,
                                             std::chrono::steady_clock::time_point limit) {
    std::unique_lock lock{mutex_};
    for (;;) {
      if (!cv_.wait_until(lock, limit, [&] { return !leaders_.empty(); })) return std::nullopt;
      const auto i = leaders_.front();
      leaders_.pop_front();
      if (i != previous) return i;
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::size_t> leaders_;
};

}  // namespace

phase_result run_handover_phase(std::vector<std::unique_ptr<client>>& clients,
                                const std::string& election_path, std::int64_t cycles,
                                double time_limit_s) {
  auto leaders = std::make_shared<leader_queue>();
  std::vector<std::unique_ptr<recipes::leader_latch>> latches(clients.size());
  auto join = [&](std::size_t i) {
    latches[i] = std::make_unique<recipes::leader_latch>(*clients[i], election_path,
                                                         "p" + std::to_string(i));
    latches[i]->add_listener({.is_leader = [leaders, i] { leaders->push(i); }});
    latches[i]->start();
  };
  // One thread drives the cycles; the latches' callbacks run on their clients.
  return run_threaded_phase(
      "handover", 1, time_limit_s, [&](std::size_t, phase_result& part, auto limit) {
        try {
          for (std::size_t i = 0; i < clients.size(); ++i) join(i);
          auto leader = leaders->next_other_than(clients.size(), limit);
          for (std::int64_t n = 0; leader && n < cycles; ++n) {
            const auto t0 = std::chrono::steady_clock::now();
            latches[*leader]->close();
            const auto next = leaders->next_other_than(*leader, limit);
            if (next) part.latencies_us.push_back(micros_since(t0));
            join(*leader);
            leader = next;
          }
          part.truncated = !leader || static_cast<std::int64_t>(part.latencies_us.size()) < cycles;
        } catch (const std::exception&) {
          ++part.errors;
          part.truncated = true;
        }
        latches.clear();
      });
}

}  // namespace zkpp::bench
