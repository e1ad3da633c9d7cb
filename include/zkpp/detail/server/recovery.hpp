#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace zkpp::detail::server {

class data_tree;
class session_table;

// Rebuilds a durable server's state from its data directory into a fresh
// tree and session table: the newest intact snapshot (an older one when the
// newest is damaged), then every logged transaction after it. A log tail
// that is not an intact record (a write cut short by a crash) is cut off.
// Restored sessions' timeouts count from `steady_now`. Returns the last
// zxid; throws std::runtime_error when the directory cannot give a
// consistent state (a damaged snapshot with no log to replace it, a gap in
// the logs). `note` hears about damage that was worked around.
std::int64_t recover(const std::filesystem::path& dir, data_tree& tree, session_table& sessions,
                     std::int64_t steady_now, const std::function<void(const std::string&)>& note);

}  // namespace zkpp::detail::server
