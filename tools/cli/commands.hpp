#pragma once

// The commands of zkpp-cli: each takes the global options and its parsed
// arguments and returns the exit code (failures throw, see failure.hpp).

#include <optional>
#include <string_view>

#include "command_line.hpp"
#include "output.hpp"

namespace zkpp::cli {

struct context {
  const global_options& global;
  const output& out;
};

using command_fn = int (*)(const context&, const arguments&);

struct command {
  std::string_view name;
  command_spec spec;
  command_fn run;
};

// The command called `name`, if there is one.
const command* find_command(std::string_view name);

int run_ls(const context&, const arguments&);
int run_get(const context&, const arguments&);
int run_stat(const context&, const arguments&);
int run_exists(const context&, const arguments&);
int run_getacl(const context&, const arguments&);
int run_sync(const context&, const arguments&);
int run_whoami(const context&, const arguments&);

int run_set(const context&, const arguments&);
int run_create(const context&, const arguments&);
int run_delete(const context&, const arguments&);
int run_deleteall(const context&, const arguments&);
int run_setacl(const context&, const arguments&);

int run_watch(const context&, const arguments&);
int run_ruok(const context&, const arguments&);
int run_lock(const context&, const arguments&);
int run_elect(const context&, const arguments&);

}  // namespace zkpp::cli
