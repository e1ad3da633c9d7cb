#include "zkpp/recipes/mutex.hpp"

#include "lock_core.hpp"

namespace zkpp::recipes {

mutex::mutex(client& zk, std::string path, mutex_options options)
    : zk_(zk),
      path_(std::move(path)),
      side_(zk, "zkpp::recipes::mutex " + path_,
            std::make_shared<detail::lock_core>(
                zk, path_,
                detail::lock_core_options{.node_name = "lock-",
                                          .revoke = options.revoke,
                                          .data = std::move(options.data)})) {}

void mutex::guarded_multi(std::vector<multi_op> ops,
                          detail::completion<std::error_code, multi_result> done) {
  const auto node = side_.node();
  if (node.empty()) return done(error::no_node, multi_result(ops.size()));
  ops.insert(ops.begin(), op::check{node, -1});
  zk_.async_multi(ops, [done](std::error_code ec, multi_result results) mutable {
    if (!results.empty()) results.erase(results.begin());
    done(ec, std::move(results));
  });
}

}  // namespace zkpp::recipes
