#include "zkpp/recipes/unique_id.hpp"

#include "zkpp/recipes/detail/blocking.hpp"
#include "zkpp/recipes/detail/node_names.hpp"
#include "zkpp/recipes/detail/znode_ops.hpp"

namespace zkpp::recipes {

unique_id_generator::unique_id_generator(client& zk, std::string path)
    : zk_(zk), path_(std::move(path)) {}

std::int64_t unique_id_generator::next() {
  return std::get<0>(
      detail::run_or_throw<std::int64_t>(zk_, "zkpp::recipes::unique_id_generator::next " + path_,
                                         [this](auto done) { next(std::move(done)); }));
}

void unique_id_generator::next(detail::completion<std::error_code, std::int64_t> done) {
  detail::create_protected(
      zk_, path_, detail::protected_prefix("id-"), "",
      [&zk = zk_, done](std::error_code ec, detail::created_node node) mutable {
        if (ec) return done(ec, 0);
        const auto seq = detail::sequence_of(detail::node_name(node.path));
        if (!seq) return done(error::data_inconsistency, 0);
        // The id is ours once the node exists. The node is persistent, so it is
        // deleted before the id is handed out: a caller that closes its client
        // right after next() must not leave it behind.
        detail::guaranteed_delete(zk, node.path,
                                  [done, id = *seq](std::error_code) mutable { done({}, id); });
      },
      create_mode::persistent_sequential);
}

}  // namespace zkpp::recipes
