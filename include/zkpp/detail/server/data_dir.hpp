#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "zkpp/detail/server/txn_log.hpp"
#include "zkpp/detail/server/txn_record.hpp"
#include "zkpp/server.hpp"

namespace zkpp::detail::server {

// A durable server's data directory: recovery at start, then every
// transaction appended to the current log (synced as the policy says), and
// every `snapshot_every` transactions a snapshot, after which the log rolls
// to a new file. The two newest snapshots are kept, with the logs that
// follow the older one, so that a damaged snapshot can be replaced.
class data_dir final : public txn_sink {
 public:
  data_dir(std::filesystem::path dir, fsync_policy policy, std::int64_t snapshot_every,
           std::function<void(const std::string&)> note);

  std::int64_t recover(data_tree& tree, session_table& sessions, std::int64_t steady_now) override;
  void committed(const txn& t, const data_tree& tree, const session_table& sessions) override;

  // Under the batched policy: whether logged transactions wait for sync().
  bool sync_pending() const { return policy_ == fsync_policy::batched && log_ && log_->unsynced(); }
  void sync();

 private:
  void take_snapshot(std::int64_t zxid, const data_tree& tree, const session_table& sessions);
  void remove_obsolete_files();

  std::filesystem::path dir_;
  fsync_policy policy_;
  std::int64_t snapshot_every_;
  std::function<void(const std::string&)> note_;
  std::optional<txn_log_writer> log_;
  std::int64_t since_snapshot_ = 0;
};

}  // namespace zkpp::detail::server
