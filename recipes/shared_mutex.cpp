#include "zkpp/recipes/shared_mutex.hpp"

#include <memory>
#include <string_view>
#include <vector>

#include "lock_core.hpp"

namespace zkpp::recipes {
namespace {

// "Must be the same length" in Curator: both sort by the sequence after them.
constexpr std::string_view write_name = "__WRIT__";
constexpr std::string_view read_name = "__READ__";

std::shared_ptr<detail::lock_core> make_side(client& zk, const std::string& path,
                                             std::string_view name, detail::wait_rule rule,
                                             const shared_mutex_options& options) {
  return std::make_shared<detail::lock_core>(
      zk, path,
      detail::lock_core_options{.node_name = std::string{name},
                                .rule = std::move(rule),
                                .revoke = options.revoke,
                                .data = options.data});
}

// Curator's ReadLock driver: the owner of the write side reads at once; any
// other reader goes when no writer node is before its own, else it waits for
// the first writer node.
detail::wait_rule reader_rule(std::weak_ptr<detail::lock_core> writer) {
  return [writer = std::move(writer)](const std::vector<std::string>& ordered,
                                      std::size_t ours) -> std::optional<std::size_t> {
    if (const auto w = writer.lock(); w && w->held()) return std::nullopt;
    for (std::size_t i = 0; i < ours; ++i)
      if (ordered[i].find(write_name) != std::string::npos) return i;
    return std::nullopt;
  };
}

}  // namespace

shared_mutex::shared_mutex(client& zk, std::string path, shared_mutex_options options)
    : path_(std::move(path)),
      write_(zk, "zkpp::recipes::shared_mutex " + path_,
             make_side(zk, path_, write_name, detail::first_goes, options)),
      read_(zk, "zkpp::recipes::shared_mutex (shared) " + path_,
            make_side(zk, path_, read_name, reader_rule(write_.core()), options)) {
  write_.core()->refuse_when([reader = std::weak_ptr{read_.core()}]() -> std::error_code {
    // Our own reader's node would stay before the writer's for ever.
    if (const auto r = reader.lock(); r && r->held())
      return std::make_error_code(std::errc::resource_deadlock_would_occur);
    return {};
  });
}

}  // namespace zkpp::recipes
