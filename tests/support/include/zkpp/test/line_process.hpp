#pragma once

// line_process: a child process steered through a line protocol (a peer
// written in another language, e.g. a Curator program). Lines go to its
// stdin and come back from its stdout; stderr goes to a log. Every read has
// a deadline and fails naming what it awaited, with the lines seen and the
// log's tail.

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "zkpp/test/process.hpp"

namespace zkpp::test {

class line_process {
 public:
  // Starts argv (see child_process); stderr is appended to `log`.
  line_process(const std::vector<std::string>& argv, std::filesystem::path log);
  // close(), then stops the child if it is still running.
  ~line_process();
  line_process(const line_process&) = delete;
  line_process& operator=(const line_process&) = delete;

  // Writes `line` and a newline to the child's stdin; throws when it is gone.
  void send(const std::string& line);

  // The first line, in the order written, that `match` accepts; lines that it
  // does not accept stay queued for later reads. A line starting with
  // `failure_prefix` (when not empty) fails at once. Throws
  // std::runtime_error naming `what` after `deadline` or at end of output.
  std::string next_matching(const std::function<bool(const std::string&)>& match,
                            const std::string& what, std::chrono::milliseconds deadline);
  // next_matching for one of `lines` exactly.
  std::string expect_one_of(const std::vector<std::string>& lines, const std::string& what,
                            std::chrono::milliseconds deadline);
  // next_matching for a line starting with `prefix`; returns the rest.
  std::string expect_prefix(const std::string& prefix, const std::string& what,
                            std::chrono::milliseconds deadline);

  // Lines starting with this fail every read (e.g. "error ").
  void fail_on(std::string failure_prefix) { failure_prefix_ = std::move(failure_prefix); }

  // Closes the child's stdin and waits up to `deadline` for the end of its
  // output (the child exiting); returns whether it came.
  bool close(std::chrono::milliseconds deadline);

  // For children that do not end with their input (servers): SIGTERM, then
  // SIGKILL after `grace`; returns the wait status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds{10}) {
    return child_.stop(grace);
  }
  // SIGKILL at once (a crash); returns the wait status.
  int kill() { return child_.kill(); }

 private:
  // Reads what is available within `deadline`; sets eof_ at end of output.
  void fill(std::chrono::steady_clock::time_point deadline);
  [[noreturn]] void fail(const std::string& why) const;

  std::filesystem::path log_;
  int fd_ = -1;  // our end of the socket pair that is the child's stdin and stdout
  child_process child_;
  std::string partial_;
  std::deque<std::string> lines_;
  std::vector<std::string> seen_;
  std::string failure_prefix_;
  bool eof_ = false;
};

}  // namespace zkpp::test
