#pragma once

#include <string>
#include <string_view>

namespace zkpp::detail::server {

class request_handler;

// True for the commands a 3.8 server recognises (ruok, srvr, stat, ...),
// whether or not the whitelist enables them.
bool is_four_letter_word(std::string_view cmd);

// The text a 3.8 server answers `cmd` with (PROTOCOL.md §18), or the
// "not in the whitelist" message. `mode`: standalone, leader or follower.
std::string four_letter_reply(const request_handler& state, std::string_view cmd,
                              std::string_view mode = "standalone");

}  // namespace zkpp::detail::server
