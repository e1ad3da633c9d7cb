#include "zkpp/recipes/barrier.hpp"

#include "zkpp/recipes/detail/blocking.hpp"
#include "zkpp/recipes/detail/node_io.hpp"
#include "zkpp/recipes/detail/rewatch.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {

barrier::barrier(client& zk, std::string path) : zk_(zk), path_(std::move(path)) {}

void barrier::set_barrier() {
  detail::run_or_throw<>(zk_, "zkpp::recipes::barrier::set_barrier " + path_,
                         [this](auto done) { set_barrier(std::move(done)); });
}

void barrier::remove_barrier() {
  detail::run_or_throw<>(zk_, "zkpp::recipes::barrier::remove_barrier " + path_,
                         [this](auto done) { remove_barrier(std::move(done)); });
}

bool barrier::wait_on_barrier(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  auto [ec, _] =
      detail::run_blocking<>(zk_, "zkpp::recipes::barrier::wait_on_barrier " + path_,
                             [this, until](auto done) { wait_on_barrier(std::move(done), until); });
  if (ec == error::operation_timeout) return false;
  if (ec) throw std::system_error(ec, "zkpp::recipes::barrier::wait_on_barrier " + path_);
  return true;
}

void barrier::wait_on_barrier() {
  detail::run_or_throw<>(zk_, "zkpp::recipes::barrier::wait_on_barrier " + path_,
                         [this](auto done) { wait_on_barrier(std::move(done), std::nullopt); });
}

void barrier::set_barrier(detail::completion<std::error_code> done) {
  detail::create_with_parents(zk_, path_, "", create_mode::persistent,
                              [done](std::error_code ec) mutable {
                                done(ec == error::node_exists ? std::error_code{} : ec);
                              });
}

void barrier::remove_barrier(detail::completion<std::error_code> done) {
  detail::guaranteed_delete(zk_, path_, [done](std::error_code ec) mutable { done(ec); });
}

std::weak_ptr<detail::bounded_wait> barrier::wait_on_barrier(
    detail::completion<std::error_code> done, detail::deadline until) {
  auto wait = detail::bounded_wait::make(zk_, std::move(done), until, {});
  auto loop = detail::rewatch::start(
      zk_, [&zk = zk_, path = path_, wait](watcher w, std::function<void(std::error_code)> looked) {
        zk.async_exists(path, std::move(w),
                        [wait, looked](std::error_code ec, std::optional<zkpp::stat> st) {
                          if (!ec && !st)
                            wait->finish({});
                          else if (ec && !detail::retryable(ec))
                            wait->finish(ec);
                          looked(ec);
                        });
      });
  // The loop looks until the wait ends, whichever way.
  wait->hold(std::move(loop));
  return wait;
}

}  // namespace zkpp::recipes
