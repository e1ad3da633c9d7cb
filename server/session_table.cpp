#include "zkpp/detail/server/session_table.hpp"

#include "zkpp/detail/proto/records.hpp"

namespace zkpp::detail::server {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

session_table::session_table(std::int64_t tick_ms, std::uint64_t secret, std::int64_t wall_now_ms)
    : tick_ms_(tick_ms > 0 ? tick_ms : 1), secret_(secret) {
  // ZooKeeper's layout: server id 1 in the top byte, time-derived bits below.
  next_id_ = static_cast<std::int64_t>((static_cast<std::uint64_t>(wall_now_ms) << 24 >> 8) |
                                       (std::uint64_t{1} << 56));
}

std::string session_table::password_for(std::int64_t id) const {
  std::string out;
  for (std::uint64_t half : {mix(static_cast<std::uint64_t>(id) ^ secret_),
                             mix(static_cast<std::uint64_t>(id) ^ ~secret_)})
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(half >> (8 * i)));
  static_assert(proto::session_password_size == 16);
  return out;
}

session& session_table::create(std::int32_t timeout_ms, std::int64_t now) {
  const auto id = next_id_++;
  auto& s = sessions_[id];
  s.id = id;
  s.password = password_for(id);
  touch(id, timeout_ms, now);
  return s;
}

void session_table::restore(std::int64_t id, std::string password, std::int32_t timeout_ms,
                            std::int64_t now) {
  auto& s = sessions_[id];
  s.id = id;
  s.password = std::move(password);
  touch(id, timeout_ms, now);
  if (id >= next_id_) next_id_ = id + 1;
}

session* session_table::find(std::int64_t id) {
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void session_table::touch(std::int64_t id, std::int32_t timeout_ms, std::int64_t now) {
  auto* s = find(id);
  if (!s) return;
  if (const auto b = buckets_.find(s->expires_at); b != buckets_.end()) {
    b->second.erase(id);
    if (b->second.empty()) buckets_.erase(b);
  }
  s->timeout_ms = timeout_ms;
  s->expires_at = ((now + timeout_ms) / tick_ms_ + 1) * tick_ms_;
  buckets_[s->expires_at].insert(id);
}

void session_table::remove(std::int64_t id) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (const auto b = buckets_.find(it->second.expires_at); b != buckets_.end()) {
    b->second.erase(id);
    if (b->second.empty()) buckets_.erase(b);
  }
  sessions_.erase(it);
}

std::vector<std::int64_t> session_table::expired(std::int64_t now) const {
  std::vector<std::int64_t> out;
  for (auto it = buckets_.begin(); it != buckets_.end() && it->first <= now; ++it)
    out.insert(out.end(), it->second.begin(), it->second.end());
  return out;
}

}  // namespace zkpp::detail::server
