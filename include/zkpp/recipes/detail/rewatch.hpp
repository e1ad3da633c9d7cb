#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

#include "zkpp/client.hpp"
#include "zkpp/recipes/detail/completion.hpp"

namespace zkpp::recipes::detail {

// Keeps a one-shot watch armed on what a recipe follows. `look(w, done)`
// reads it with the watcher `w` armed, acts on the result and calls
// done(ec). The look runs again after every watch event, after every
// (re)connection (a watch may have been missed or, with a new session,
// dropped) and, after a retryable error, after a backoff; so the recipe
// never misses the latest state, though events may coalesce. Watch events
// of superseded looks only cost a wake-up: they are ignored.
class rewatch : public std::enable_shared_from_this<rewatch> {
 public:
  using look_fn = std::function<void(watcher, std::function<void(std::error_code)>)>;

  // make() and begin(): a recipe can make the loop under its lock, so that
  // others find it and may poke or stop it, and begin it outside the lock.
  static std::shared_ptr<rewatch> make(client& zk, look_fn look);
  void begin();
  static std::shared_ptr<rewatch> start(client& zk, look_fn look);  // make and begin
  // No look starts after this returns (one in flight may still finish).
  void stop();
  // Looks again now (e.g. after the recipe changed what it follows).
  void poke();

  rewatch(client& zk, look_fn look) : zk_(zk), look_(std::move(look)) {}
  ~rewatch() { subscription_.unsubscribe(); }
  rewatch(const rewatch&) = delete;
  rewatch& operator=(const rewatch&) = delete;

 private:
  void run();
  void on_done(std::uint64_t g, std::error_code ec);

  client& zk_;
  const look_fn look_;
  state_subscription subscription_;  // set by begin(), taken by stop()
  std::mutex m_;
  bool stopped_ = false;
  std::uint64_t generation_ = 0;
  int attempt_ = 0;
};

// The life of a recipe's rewatch loop: started by the first start(), ended
// by close(); start() callers wait until the recipe says it is ready() (or
// failed()). Thread-safe; never calls out while holding its lock.
class rewatch_lifecycle {
 public:
  // Starts the loop on the first call. `done` (if any) completes once ready,
  // at once if ready already, with operation_aborted after close().
  void start(client& zk, completion<std::error_code> done, rewatch::look_fn look);
  // start() with `owner->look(w, looked)` as the look, holding the owner weakly.
  template <class Owner>
  void start(client& zk, completion<std::error_code> done, const std::shared_ptr<Owner>& owner) {
    start(zk, std::move(done),
          [weak = std::weak_ptr<Owner>{owner}](watcher w, std::function<void(std::error_code)> l) {
            if (auto self = weak.lock()) self->look(std::move(w), std::move(l));
          });
  }
  void ready();
  // A non-retryable error: pending start() callers complete with it.
  void failed(std::error_code ec);
  // Stops the loop and aborts pending start() callers; true if this call
  // closed a started loop.
  bool close();
  bool closed() const;

 private:
  void complete(std::error_code ec);

  mutable std::mutex m_;
  bool closed_ = false;
  bool ready_ = false;
  std::shared_ptr<rewatch> loop_;
  std::vector<completion<std::error_code>> waiters_;
};

}  // namespace zkpp::recipes::detail
