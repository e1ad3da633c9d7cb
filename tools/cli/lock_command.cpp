#include <memory>

#include "commands.hpp"
#include "owned_command.hpp"
#include "session.hpp"
#include "zkpp/recipes/mutex.hpp"

namespace zkpp::cli {

int run_lock(const context& ctx, const arguments& args) {
  const auto timeout = ownership_timeout(args);
  session s{ctx.global};
  // Shared with the revocation listener, which runs on the client's strand.
  auto command = std::make_shared<supervised_command>();
  recipes::mutex lock{s.zk(), args.positional[0]};
  lock.on_revoked([command](session_state state) {
    command->stop(std::string("lock lost (") + to_string(state) + ")");
  });
  return run_while_owned(args, timeout,
                         {"lock",
                          [&](std::optional<std::chrono::milliseconds> t) {
                            if (t) return lock.try_lock_for(*t);
                            lock.lock();
                            return true;
                          },
                          [&] { lock.unlock(); }},
                         *command);
}

}  // namespace zkpp::cli
