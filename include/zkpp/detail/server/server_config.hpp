#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zkpp/server.hpp"

namespace zkpp::detail::server {

// Applies the zoo.cfg keys the reference server understands (clientPort,
// clientPortAddress, tickTime, min/maxSessionTimeout, jute.maxbuffer,
// extendedTypesEnabled, 4lw.commands.whitelist, secureClientPort and the
// PEM ssl.keyStore / ssl.trustStore locations, ...); other keys are ignored
// as they do not change what a client observes. Returns an error message.
std::optional<std::string> apply_zoo_cfg(std::string_view text, server_options& options);

// What zkpp-server's command line sets besides the server's options.
struct program_options {
  std::optional<std::uint16_t> control_port;  // --control-port (0: a free port)
};

// zkpp-server's command line (without argv[0]); --config is read first so
// that the other flags override it. Returns an error message.
std::optional<std::string> parse_command_line(const std::vector<std::string>& args,
                                              server_options& options, program_options& program);
std::optional<std::string> parse_command_line(const std::vector<std::string>& args,
                                              server_options& options);

inline constexpr const char* usage =
    "usage: zkpp-server [--host ADDR] [--port N] [--tick-time MS] [--min-session-timeout MS]\n"
    "                   [--max-session-timeout MS] [--max-buffer BYTES]\n"
    "                   [--super-digest user:BASE64] [--reap-interval MS] [--config zoo.cfg]\n"
    "                   [--extended-types-enabled true|false] [--4lw-whitelist cmd,cmd|*]\n"
    "                   [--control-port N] [--members N] [--idle-poll MICROSECONDS]\n"
    "                   [--secure-port N --tls-cert FILE --tls-key FILE [--tls-ca FILE]\n"
    "                    [--tls-client-auth need|none]]\n"
    "                   [--data-dir DIR [--fsync every|batched|off] [--snapshot-every N]]\n"
    "--members N: an in-process ensemble of N members on ports PORT..PORT+N-1 (free ports\n"
    "with --port 0), all of them in the printed connect string.\n"
    "TLS: the secure port serves TLS next to the plain port (0: a free port, printed as\n"
    "\"zkpp-server secure on ADDR:PORT\"); PEM files; --tls-client-auth need requires client\n"
    "certificates signed by a CA of --tls-ca.\n";

}  // namespace zkpp::detail::server
