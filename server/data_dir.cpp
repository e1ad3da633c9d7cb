#include "zkpp/detail/server/data_dir.hpp"

#include <algorithm>

#include "zkpp/detail/server/data_files.hpp"
#include "zkpp/detail/server/recovery.hpp"
#include "zkpp/detail/server/snapshot.hpp"

namespace zkpp::detail::server {
namespace {

constexpr std::size_t snapshots_kept = 2;

}  // namespace

data_dir::data_dir(std::filesystem::path dir, fsync_policy policy, std::int64_t snapshot_every,
                   std::function<void(const std::string&)> note)
    : dir_(std::move(dir)),
      policy_(policy),
      snapshot_every_(std::max<std::int64_t>(1, snapshot_every)),
      note_(std::move(note)) {}

std::int64_t data_dir::recover(data_tree& tree, session_table& sessions, std::int64_t steady_now) {
  std::filesystem::create_directories(dir_);
  const auto last = server::recover(dir_, tree, sessions, steady_now, note_);
  // A new file: the last one may end in a cut record, and is never appended to.
  log_.emplace(data_file_path(dir_, data_file_kind::log, last + 1));
  return last;
}

void data_dir::committed(const txn& t, const data_tree& tree, const session_table& sessions) {
  log_->append(t);
  if (policy_ == fsync_policy::every_write) log_->sync();
  if (++since_snapshot_ >= snapshot_every_) take_snapshot(t.zxid, tree, sessions);
}

void data_dir::sync() {
  if (log_ && log_->unsynced()) log_->sync();
}

void data_dir::take_snapshot(std::int64_t zxid, const data_tree& tree,
                             const session_table& sessions) {
  // The log stays the way back should this snapshot turn out damaged.
  if (policy_ != fsync_policy::off) sync();
  write_snapshot(data_file_path(dir_, data_file_kind::snapshot, zxid), zxid, tree, sessions);
  log_.emplace(data_file_path(dir_, data_file_kind::log, zxid + 1));
  since_snapshot_ = 0;
  remove_obsolete_files();
}

void data_dir::remove_obsolete_files() {
  const auto snapshots = list_data_files(dir_, data_file_kind::snapshot);
  if (snapshots.size() < snapshots_kept) return;
  const auto oldest_kept = snapshots.end() - snapshots_kept;
  for (auto it = snapshots.begin(); it != oldest_kept; ++it) std::filesystem::remove(it->path);
  // A log is needed while it holds a transaction after the oldest kept snapshot.
  const auto logs = list_data_files(dir_, data_file_kind::log);
  for (std::size_t i = 0; i + 1 < logs.size(); ++i)
    if (logs[i + 1].zxid <= oldest_kept->zxid + 1) std::filesystem::remove(logs[i].path);
  sync_directory(dir_);
}

}  // namespace zkpp::detail::server
