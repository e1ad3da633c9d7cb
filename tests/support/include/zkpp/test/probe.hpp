#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace zkpp::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then
// closed). Other processes may take it meanwhile, so servers that get one
// must fail loudly if they cannot bind it.
std::uint16_t free_port();

// Sends a four-letter word ("ruok", "stat", "mntr", ...) raw, without a
// length prefix, and returns everything the server writes before it closes.
// Throws std::runtime_error on connect failure or when `timeout` passes.
std::string four_letter_word(std::uint16_t port, std::string_view word,
                             std::chrono::milliseconds timeout = std::chrono::seconds{5});

// Opens a session (ConnectRequest -> ConnectResponse, checks timeOut > 0),
// then closes it with closeSession. Returns an empty string on success or
// what went wrong; never throws.
std::string probe_handshake(std::uint16_t port,
                            std::chrono::milliseconds timeout = std::chrono::seconds{5});

}  // namespace zkpp::test
