#include "zkpp/recipes/detail/lock_handle.hpp"

#include <asio/error.hpp>

#include <future>

#include "lock_core.hpp"

namespace zkpp::recipes::detail {

lock_handle::lock_handle(client& zk, std::string what, std::shared_ptr<lock_core> core)
    : zk_(zk), what_(std::move(what)), core_(std::move(core)) {
  core_->subscribe();
}

lock_handle::~lock_handle() {
  core_->shut_down();
}

std::uint64_t lock_handle::start(completion<std::error_code> done, deadline until, bool wait) {
  return core_->start(std::move(done), until, wait);
}

void lock_handle::abandon(const std::weak_ptr<lock_core>& core, std::uint64_t id) {
  if (auto c = core.lock()) c->abandon(id, asio::error::operation_aborted);
}

bool lock_handle::acquire(deadline until, bool wait) {
  if (zk_.running_in_this_thread()) throw std::system_error(error::would_block_on_strand, what_);
  // Shared: the completing thread may still be inside set_value when get() returns.
  auto result = std::make_shared<std::promise<std::error_code>>();
  auto future = result->get_future();
  start(completion<std::error_code>{[result](std::error_code ec) { result->set_value(ec); },
                                    zk_.get_executor()},
        until, wait);
  const auto ec = future.get();
  if (ec == error::operation_timeout) return false;
  if (ec) throw std::system_error(ec, what_);
  return true;
}

void lock_handle::unlock() {
  core_->unlock();
}

bool lock_handle::held() const {
  return core_->held();
}

std::int64_t lock_handle::fencing_token() const {
  return core_->fencing_token();
}

std::string lock_handle::node() const {
  return core_->held_node();
}

void lock_handle::on_revoked(std::function<void(session_state)> listener) {
  core_->add_listener(std::move(listener));
}

}  // namespace zkpp::recipes::detail
