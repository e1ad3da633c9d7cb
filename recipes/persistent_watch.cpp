#include "zkpp/recipes/detail/persistent_watch.hpp"

namespace zkpp::recipes::detail {

bool persistent_watch::enabled() const {
  std::lock_guard lock{m_};
  return enabled_;
}

void persistent_watch::ensure(client& zk, const std::string& path, add_watch_mode mode, watcher w,
                              std::function<void(std::error_code)> done) {
  const auto session = zk.session_id();
  std::unique_lock lock{m_};
  const bool armed = !enabled_ || session_ == session;
  lock.unlock();
  if (armed) return done({});
  zk.async_add_watch(path, mode, std::move(w), [this, session, done](std::error_code ec) {
    {
      std::lock_guard lock{m_};
      if (ec == error::unimplemented)
        enabled_ = false;
      else if (!ec)
        session_ = session;
    }
    done(ec == error::unimplemented ? std::error_code{} : ec);
  });
}

}  // namespace zkpp::recipes::detail
