#include "zkpp/detail/server/recovery.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

#include "zkpp/detail/server/data_files.hpp"
#include "zkpp/detail/server/durable_file.hpp"
#include "zkpp/detail/server/snapshot.hpp"
#include "zkpp/detail/server/txn_log.hpp"

namespace zkpp::detail::server {
namespace {

std::string zxid_text(std::int64_t zxid) {
  return "zxid " + std::to_string(zxid);
}

// The last zxid of the newest intact snapshot, loaded; 0 (nothing loaded)
// when there is none.
std::int64_t load_newest_snapshot(const std::vector<data_file>& snapshots, data_tree& tree,
                                  session_table& sessions, std::int64_t steady_now,
                                  const std::function<void(const std::string&)>& note) {
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
    if (auto snapshot = read_snapshot(it->path)) {
      load_snapshot(*snapshot, tree, sessions, steady_now);
      return snapshot->last_zxid;
    }
    note("recovery: snapshot " + it->path.string() + " is damaged; trying an older state");
  }
  return 0;
}

}  // namespace

std::int64_t recover(const std::filesystem::path& dir, data_tree& tree, session_table& sessions,
                     std::int64_t steady_now, const std::function<void(const std::string&)>& note) {
  const auto snapshots = list_data_files(dir, data_file_kind::snapshot);
  const auto base = load_newest_snapshot(snapshots, tree, sessions, steady_now, note);
  const auto failure = [&](const std::string& what) {
    std::string why = "recovery: " + what;
    if (!snapshots.empty() && base < snapshots.back().zxid)
      why += "; the newest snapshot, " + snapshots.back().path.string() + ", is damaged";
    return std::runtime_error(why);
  };
  std::int64_t last = base;
  std::vector<std::pair<std::filesystem::path, std::uintmax_t>> torn;
  const auto logs = list_data_files(dir, data_file_kind::log);
  for (std::size_t i = 0; i < logs.size(); ++i) {
    // Wholly covered by the snapshot.
    if (i + 1 < logs.size() && logs[i + 1].zxid <= base + 1) continue;
    const auto& file = logs[i].path;
    const auto scan = read_txn_log(file, [&](txn&& t) {
      if (t.zxid <= base) return;
      if (t.zxid != last + 1)
        throw failure(file.string() + " holds " + zxid_text(t.zxid) + " where " +
                      zxid_text(last + 1) + " was due: transactions are missing from " +
                      dir.string());
      for (auto& op : t.ops) {
        if (!applies_to(op, tree))
          throw failure(zxid_text(t.zxid) + " in " + file.string() +
                        " does not apply to the state before it");
        apply(std::move(op), t.zxid, t.time, steady_now, tree, sessions);
      }
      last = t.zxid;
    });
    if (scan.torn()) torn.emplace_back(file, scan.intact_bytes);
  }
  if (!snapshots.empty() && last < snapshots.back().zxid)
    throw failure("the snapshots and logs in " + dir.string() + " reach only " + zxid_text(last));
  // Only once the state is known to be whole: cut the damaged tails.
  for (const auto& [file, size] : torn) {
    note("recovery: cut " + file.string() + " after its last intact record (at byte " +
         std::to_string(size) + ")");
    truncate_file(file, size);
  }
  return last;
}

}  // namespace zkpp::detail::server
