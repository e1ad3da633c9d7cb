#pragma once

// A transaction log file: "ZKPPLOG1", then one checksummed frame per
// transaction (a jute-encoded txn), in zxid order.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "zkpp/detail/server/durable_file.hpp"
#include "zkpp/detail/server/txn_record.hpp"

namespace zkpp::detail::server {

inline constexpr std::string_view txn_log_magic = "ZKPPLOG1";

// Appends to a new log file.
class txn_log_writer {
 public:
  // Creates `path` (replacing a file there) and makes its entry durable.
  explicit txn_log_writer(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return file_.path(); }
  // Hands the record to the OS; sync() forces it to disk.
  void append(const txn& t);
  void sync();
  // Whether something was appended since the last sync.
  bool unsynced() const { return unsynced_; }

 private:
  durable_file file_;
  std::string buffer_;
  bool unsynced_ = false;
};

struct txn_log_scan {
  std::uintmax_t intact_bytes = 0;  // the length of the intact prefix
  std::uintmax_t file_bytes = 0;
  // What follows the intact prefix (a record cut short by a crash, or
  // bytes that changed) and was not read.
  bool torn() const { return file_bytes > intact_bytes; }
};

// Calls `on_txn` with each intact record, in order, up to the first one that
// is not intact.
txn_log_scan read_txn_log(const std::filesystem::path& path,
                          const std::function<void(txn&&)>& on_txn);

}  // namespace zkpp::detail::server
