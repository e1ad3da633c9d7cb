#include "idle_poll_loop.hpp"

#include <thread>

#include "zkpp/detail/server/idle_poll_window.hpp"

namespace zkpp::detail::server {

void run_with_idle_poll(asio::io_context& io, std::chrono::microseconds max_poll) {
  if (max_poll <= std::chrono::microseconds::zero()) {
    io.run();
    return;
  }
  using clock = std::chrono::steady_clock;
  idle_poll_window window{max_poll};
  while (!io.stopped()) {
    if (io.poll() > 0) continue;
    const auto idle_since = clock::now();
    const auto poll_until = idle_since + window.current();
    auto checked = idle_since;
    bool woke = false;
    while (checked < poll_until && !io.stopped()) {
      if ((woke = io.poll() > 0)) break;
      // Polling must not keep a runnable thread off this CPU (a busy client
      // on the same machine, say): then the CPU would not have gone idle.
      std::this_thread::yield();
      checked = clock::now();
    }
    // Blocks until one handler has run; the next poll() drains the rest.
    if (!woke && io.run_one() == 0) break;
    window.idle_ended((woke ? checked : clock::now()) - idle_since);
  }
}

}  // namespace zkpp::detail::server
