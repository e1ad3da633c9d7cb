#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace zkpp::detail::server {

// The time of each transaction, by zxid, so that nodes need not store their
// ctime and mtime: in ZooKeeper they are the times of the transactions
// czxid and mzxid. Holds one entry per change of time (zxids in a run
// share it), however the clock moves; a zxid must always be recorded with
// the same time.
class zxid_times {
 public:
  void record(std::int64_t zxid, std::int64_t time);
  // The time recorded for `zxid`; 0 before the first record.
  std::int64_t time_of(std::int64_t zxid) const;
  std::size_t size() const { return entries_.size(); }
  // Forgets the times of zxids not in `in_use`.
  void keep_only(std::span<const std::int64_t> in_use);

 private:
  struct entry {
    std::int64_t zxid;  // first zxid of a run
    std::int64_t time;
  };
  // The index of the entry whose run holds `zxid`.
  std::size_t run_of(std::int64_t zxid) const;

  std::vector<entry> entries_{{INT64_MIN, 0}};
};

}  // namespace zkpp::detail::server
