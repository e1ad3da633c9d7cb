#pragma once

#include <cstdint>
#include <memory>

#include "zkpp/server.hpp"

namespace zkpp::detail::server {

// zkpp-server's control port: a line protocol on 127.0.0.1 (see
// run_control_command) served on a thread of its own; any number of
// clients, one answer per command line.
class control_port {
 public:
  // Binds 127.0.0.1:port (0: a free port) and starts serving `srv`.
  control_port(zkpp::server& srv, std::uint16_t port);
  ~control_port();
  control_port(const control_port&) = delete;
  control_port& operator=(const control_port&) = delete;

  std::uint16_t port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace zkpp::detail::server
