// zkpp-cli: ZooKeeper from the shell. See usage_text() for the commands and
// failure.hpp for the exit codes.

#include <iostream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "commands.hpp"
#include "failure.hpp"
#include "output.hpp"

namespace {

// With --json the failure also goes to stdout, so that scripts reading it see it.
int fail(const zkpp::cli::output& out, int code, const std::string& message,
         const nlohmann::json& detail = nlohmann::json::object()) {
  std::cerr << message << std::endl;
  auto doc = detail;
  doc["error"] = message;
  doc["exit_code"] = code;
  if (out.json()) out.print("", doc);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zkpp::cli;
  const std::vector<std::string> args(argv + 1, argv + argc);
  output out{false};
  try {
    const auto inv = parse_invocation(args);
    out = output{inv.global.json};
    if (inv.help) {
      std::cout << usage_text();
      return exit_code::success;
    }
    const auto* cmd = find_command(inv.command);
    if (!cmd) throw usage_error("unknown command '" + inv.command + "'");
    const auto parsed = parse_arguments(inv.command, cmd->spec, inv.args);
    return cmd->run(context{inv.global, out}, parsed);
  } catch (const usage_error& e) {
    const int code = fail(out, exit_code::usage, e.what());
    std::cerr << usage_text();
    return code;
  } catch (const zk_failure& e) {
    return fail(out, exit_code::zookeeper_error, e.what(),
                {{"code", e.code().value()}, {"path", e.path()}});
  } catch (const cli_failure& e) {
    return fail(out, e.exit_code(), e.what());
  } catch (const std::system_error& e) {
    return fail(out, exit_code::zookeeper_error, e.code().message());
  } catch (const std::exception& e) {
    return fail(out, exit_code::zookeeper_error, e.what());
  }
}
