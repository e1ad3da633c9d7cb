#include "zkpp/detail/server/txn_log.hpp"

#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/server/checksummed_frame.hpp"

namespace zkpp::detail::server {

txn_log_writer::txn_log_writer(const std::filesystem::path& path) : file_(path) {
  file_.append(txn_log_magic);
  file_.sync();
  sync_directory(path.parent_path());
}

void txn_log_writer::append(const txn& t) {
  buffer_.clear();
  append_checksummed_frame(buffer_, jute::encode(t));
  file_.append(buffer_);
  unsynced_ = true;
}

void txn_log_writer::sync() {
  file_.sync();
  unsynced_ = false;
}

txn_log_scan read_txn_log(const std::filesystem::path& path,
                          const std::function<void(txn&&)>& on_txn) {
  const auto bytes = read_whole_file(path);
  txn_log_scan scan{0, bytes.size()};
  if (!std::string_view{bytes}.starts_with(txn_log_magic)) return scan;
  std::size_t pos = txn_log_magic.size();
  scan.intact_bytes = pos;
  while (const auto payload = read_checksummed_frame(bytes, pos)) {
    txn t;
    if (!jute::decode(*payload, t)) break;
    on_txn(std::move(t));
    scan.intact_bytes = pos;
  }
  return scan;
}

}  // namespace zkpp::detail::server
