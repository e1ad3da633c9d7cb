#include "commands.hpp"

#include <array>

namespace zkpp::cli {

namespace {

const std::array<command, 16> table{{
    {"ls", {{"-s", "-R"}, {}, 1, 1}, run_ls},
    {"get", {{"-s", "-w"}, {}, 1, 1}, run_get},
    {"set", {{}, {"-v"}, 2, 2}, run_set},
    {"create", {{"-e", "-s", "-c"}, {"-t"}, 1, 2}, run_create},
    {"delete", {{}, {"-v"}, 1, 1}, run_delete},
    {"deleteall", {{}, {}, 1, 1}, run_deleteall},
    {"stat", {{}, {}, 1, 1}, run_stat},
    {"exists", {{}, {}, 1, 1}, run_exists},
    {"getacl", {{}, {}, 1, 1}, run_getacl},
    {"setacl", {{}, {"-v"}, 2, 2}, run_setacl},
    {"sync", {{}, {}, 1, 1}, run_sync},
    {"watch", {{"--recursive"}, {"--count"}, 1, 1}, run_watch},
    {"whoami", {{}, {}, 0, 0}, run_whoami},
    {"ruok", {{}, {}, 0, 0}, run_ruok},
    {"lock", {{}, {"--timeout"}, 1, 1, true}, run_lock},
    {"elect", {{}, {"--id", "--timeout"}, 1, 1, true}, run_elect},
}};

}  // namespace

const command* find_command(std::string_view name) {
  for (const auto& c : table)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace zkpp::cli
