#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>

#include "zkpp/client.hpp"

namespace zkpp::recipes::detail {

// A cache's persistent watch: added once per session (the client re-adds it
// after a reconnection in the same session), or given up for one-shot
// watches when not wanted or when the server answers unimplemented.
class persistent_watch {
 public:
  explicit persistent_watch(bool wanted) : enabled_(wanted) {}

  // False: the caller arms one-shot watches with its reads.
  bool enabled() const;

  // Adds `w` on `path` unless it is armed in the current session already;
  // `done` hears the error (none when armed, or when one-shot watches are
  // to be used instead). `done` must keep this object alive.
  void ensure(client& zk, const std::string& path, add_watch_mode mode, watcher w,
              std::function<void(std::error_code)> done);

 private:
  mutable std::mutex m_;
  bool enabled_;
  std::int64_t session_ = 0;  // the session holding the watch
};

}  // namespace zkpp::recipes::detail
