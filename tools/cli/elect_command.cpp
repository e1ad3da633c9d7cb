#include <unistd.h>

#include <array>
#include <memory>

#include "commands.hpp"
#include "owned_command.hpp"
#include "session.hpp"
#include "zkpp/recipes/leader_latch.hpp"

namespace zkpp::cli {

namespace {

// "host:pid": tells participants apart in `ls` of the election path.
std::string default_id() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(host.data()) + ":" + std::to_string(getpid());
}

}  // namespace

int run_elect(const context& ctx, const arguments& args) {
  const auto timeout = ownership_timeout(args);
  session s{ctx.global};
  // Shared with the latch listener, which runs on the client's strand.
  auto command = std::make_shared<supervised_command>();
  recipes::leader_latch latch{s.zk(), args.positional[0],
                              args.value("--id").value_or(default_id())};
  latch.add_listener(
      {.is_leader = {}, .not_leader = [command] { command->stop("leadership lost"); }});
  return run_while_owned(args, timeout,
                         {"leadership",
                          [&](std::optional<std::chrono::milliseconds> t) {
                            latch.start();
                            if (t) return latch.await_leadership(*t);
                            while (!latch.await_leadership(std::chrono::hours{1})) {
                            }
                            return true;
                          },
                          [&] { latch.close(); }},
                         *command);
}

}  // namespace zkpp::cli
