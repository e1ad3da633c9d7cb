// zkpp-server: the reference server as a program. Prints one line
// "zkpp-server listening on ADDR:PORT" once it accepts connections (and
// "zkpp-server secure on ADDR:PORT" with --secure-port, and "zkpp-server
// control on 127.0.0.1:PORT" with --control-port), prints each
// fault log line to stderr, and runs until SIGINT or SIGTERM.

#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "control_port.hpp"
#include "zkpp/detail/server/server_config.hpp"
#include "zkpp/server.hpp"

int main(int argc, char** argv) {
  namespace cfg = zkpp::detail::server;
  zkpp::server_options options;
  cfg::program_options program;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(cfg::usage, stdout);
    return 0;
  }
  if (auto err = cfg::parse_command_line(args, options, program)) {
    std::fprintf(stderr, "zkpp-server: %s\n%s", err->c_str(), cfg::usage);
    return 2;
  }
  // Block the signals before the server thread starts so that only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  options.on_fault = [](const std::string& line) {
    std::fprintf(stderr, "zkpp-server fault: %s\n", line.c_str());
  };
  try {
    zkpp::server server{options};
    server.start();
    std::optional<cfg::control_port> control;
    if (program.control_port) control.emplace(server, *program.control_port);
    std::printf("zkpp-server listening on %s\n", server.connect_string().c_str());
    if (server.secure_port() != 0)
      std::printf("zkpp-server secure on %s\n", server.secure_connect_string().c_str());
    if (control) std::printf("zkpp-server control on 127.0.0.1:%u\n", unsigned{control->port()});
    std::fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    control.reset();
    server.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkpp-server: %s\n", e.what());
    return 1;
  }
  return 0;
}
