#include "lock_phase.hpp"

#include "threaded_phase.hpp"
#include "zkpp/recipes/mutex.hpp"

namespace zkpp::bench {

phase_result run_lock_phase(std::vector<std::unique_ptr<client>>& clients,
                            const std::string& lock_path, std::int64_t cycles,
                            double time_limit_s) {
  return run_threaded_phase("lock", clients.size(), time_limit_s,
                            [&](std::size_t i, phase_result& part, auto limit) {
                              part.latencies_us.reserve(static_cast<std::size_t>(cycles));
                              try {
                                recipes::mutex lock{*clients[i], lock_path};
                                for (std::int64_t n = 0; n < cycles; ++n) {
                                  const auto t0 = std::chrono::steady_clock::now();
                                  // A contender still queued at the limit gives up: the run is
                                  // truncated.
                                  if (t0 >= limit || !lock.try_lock_until(limit)) {
                                    part.truncated = true;
                                    break;
                                  }
                                  part.latencies_us.push_back(micros_since(t0));
                                  lock.unlock();
                                }
                              } catch (const std::exception&) {
                                ++part.errors;
                                part.truncated = true;
                              }
                            });
}

}  // namespace zkpp::bench
