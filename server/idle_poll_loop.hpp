#pragma once

#include <asio/io_context.hpp>
#include <chrono>

namespace zkpp::detail::server {

// Runs `io` until it is stopped. With a non-zero `max_poll`, the thread polls
// for ready work for an adaptive window (see idle_poll_window) each time it
// runs out of work, before it blocks; with zero it is io.run().
void run_with_idle_poll(asio::io_context& io, std::chrono::microseconds max_poll);

}  // namespace zkpp::detail::server
