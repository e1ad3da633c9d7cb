#pragma once

// Parsing of zkpp-cli's command line: global options, then a command whose
// own flags and options may come before or after its positional arguments.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zkpp::cli {

// A malformed command line: exit code 2 with the usage.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct global_options {
  std::string servers = "127.0.0.1:2181";
  // --timeout as given; bounds connecting and each request (10 s when not
  // given), and a watch's whole run when given.
  std::optional<std::chrono::milliseconds> timeout{};
  bool json = false;

  std::chrono::milliseconds connect_timeout() const {
    return timeout.value_or(std::chrono::seconds{10});
  }
};

// What a command accepts besides its name.
struct command_spec {
  std::vector<std::string> flags{};   // e.g. "-s", "--recursive"
  std::vector<std::string> valued{};  // options with a value, e.g. "-v", "--count"
  std::size_t min_positional = 0;
  std::size_t max_positional = 0;
  bool takes_program = false;  // lock, elect: "-- CMD [ARGS...]"
};

struct arguments {
  std::set<std::string> flags{};
  std::map<std::string, std::string> values{};
  std::vector<std::string> positional{};
  std::vector<std::string> program{};  // after "--" (lock, elect)

  bool has(const std::string& flag) const { return flags.contains(flag); }
  std::optional<std::string> value(const std::string& option) const;
};

struct invocation {
  global_options global{};
  bool help = false;
  std::string command{};
  std::vector<std::string> args{};
};

// Global options up to the command name; throws usage_error.
invocation parse_invocation(std::span<const std::string> argv);

// The command's arguments against its spec; throws usage_error.
arguments parse_arguments(const std::string& command, const command_spec& spec,
                          std::span<const std::string> args);

// Numbers from the command line; throw usage_error naming `what`.
std::int64_t parse_integer(std::string_view text, const std::string& what, std::int64_t min,
                           std::int64_t max);
std::chrono::milliseconds parse_seconds(std::string_view text, const std::string& what);

std::string_view usage_text();

}  // namespace zkpp::cli
