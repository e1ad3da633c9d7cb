#include "zkpp/test/command.hpp"

#include <sys/wait.h>

#include <fstream>
#include <iterator>

#include "zkpp/test/process.hpp"
#include "zkpp/test/temp_dir.hpp"

namespace zkpp::test {

std::string join_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

std::string command_result::describe(const std::vector<std::string>& argv) const {
  std::string how = timed_out ? "timed out" : "exited with " + std::to_string(exit_code);
  return join_command(argv) + " " + how + ":\n" + output;
}

command_result run_command(const std::vector<std::string>& argv,
                           std::chrono::milliseconds timeout) {
  scoped_temp_dir dir("zkpp-command");
  auto log = dir / "output";
  command_result result;
  child_process child(argv, log);
  if (!child.wait_exit(std::chrono::steady_clock::now() + timeout)) {
    child.kill();
    result.timed_out = true;
  }
  // Once the child is reaped, stop() only returns its wait status.
  int status = child.stop();
  if (!result.timed_out && status >= 0 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  std::ifstream in(log, std::ios::binary);
  result.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return result;
}

}  // namespace zkpp::test
