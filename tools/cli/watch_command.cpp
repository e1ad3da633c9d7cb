#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "commands.hpp"
#include "failure.hpp"
#include "session.hpp"

namespace zkpp::cli {

namespace {

// Events handed from the client's strand to the printing thread.
class event_queue {
 public:
  void push(const watch_event& e) {
    std::lock_guard lock{mutex_};
    events_.push_back(e);
    cv_.notify_all();
  }
  void end_session() {
    std::lock_guard lock{mutex_};
    session_ended_ = true;
    cv_.notify_all();
  }
  // The next event; nullopt once `deadline` passes. Throws zk_failure when
  // the session ended, as no more events can come.
  std::optional<watch_event> next(std::optional<std::chrono::steady_clock::time_point> deadline,
                                  const std::string& path) {
    std::unique_lock lock{mutex_};
    const auto ready = [&] { return !events_.empty() || session_ended_; };
    if (deadline) {
      if (!cv_.wait_until(lock, *deadline, ready)) return std::nullopt;
    } else {
      cv_.wait(lock, ready);
    }
    if (events_.empty()) throw zk_failure(make_error_code(error::connection_loss), path);
    auto e = std::move(events_.front());
    events_.pop_front();
    return e;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<watch_event> events_;
  bool session_ended_ = false;
};

}  // namespace

int run_watch(const context& ctx, const arguments& args) {
  const auto& path = args.positional[0];
  std::optional<std::int64_t> count;
  if (const auto c = args.value("--count")) count = parse_integer(*c, "--count", 1, INT64_MAX);
  const bool recursive = args.has("--recursive");
  const auto deadline = ctx.global.timeout
                            ? std::optional{std::chrono::steady_clock::now() + *ctx.global.timeout}
                            : std::nullopt;

  session s{ctx.global};
  // Shared with the client's callbacks, which may run until the client is gone.
  auto events = std::make_shared<event_queue>();
  auto subscription = s.zk().on_state([events](session_state st) {
    if (st == session_state::lost || st == session_state::closed ||
        st == session_state::auth_failed)
      events->end_session();
  });
  std::error_code ec;
  s.zk().add_watch(
      path, recursive ? add_watch_mode::persistent_recursive : add_watch_mode::persistent,
      [events](const watch_event& e) { events->push(e); }, ec);
  check(ec, path);
  ctx.out.print("watching " + path, {{"watching", path}, {"recursive", recursive}});
  for (std::int64_t seen = 0; !count || seen < *count; ++seen) {
    const auto e = events->next(deadline, path);
    if (!e) break;
    ctx.out.print(event_text(*e), event_json(*e));
  }
  subscription.unsubscribe();
  return exit_code::success;
}

}  // namespace zkpp::cli
