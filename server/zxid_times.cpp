#include "zkpp/detail/server/zxid_times.hpp"

#include <algorithm>

namespace zkpp::detail::server {

std::size_t zxid_times::run_of(std::int64_t zxid) const {
  const auto after = std::upper_bound(entries_.begin(), entries_.end(), zxid,
                                      [](std::int64_t z, const entry& e) { return z < e.zxid; });
  return static_cast<std::size_t>(after - entries_.begin()) - 1;
}

void zxid_times::record(std::int64_t zxid, std::int64_t time) {
  if (zxid > entries_.back().zxid) {
    if (time != entries_.back().time) entries_.push_back({zxid, time});
    return;
  }
  // An earlier zxid: split its run so that only `zxid` changes time.
  auto it = entries_.begin() + static_cast<std::ptrdiff_t>(run_of(zxid));
  const auto before = it->time;
  if (before == time) return;
  if (it->zxid == zxid)
    it->time = time;
  else
    it = entries_.insert(std::next(it), {zxid, time});
  const auto next = std::next(it);
  if (zxid != INT64_MAX && (next == entries_.end() || next->zxid > zxid + 1))
    entries_.insert(next, {zxid + 1, before});
}

std::int64_t zxid_times::time_of(std::int64_t zxid) const {
  return entries_[run_of(zxid)].time;
}

void zxid_times::keep_only(std::span<const std::int64_t> in_use) {
  std::vector<bool> used(entries_.size());
  used[0] = true;
  for (const auto zxid : in_use) used[run_of(zxid)] = true;
  std::vector<entry> kept;
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (used[i] && (kept.empty() || kept.back().time != entries_[i].time))
      kept.push_back(entries_[i]);
  entries_ = std::move(kept);
}

}  // namespace zkpp::detail::server
