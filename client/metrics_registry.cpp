#include "metrics_registry.hpp"

#include <bit>

#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/error.hpp"

namespace zkpp::detail {
namespace {

using proto::opcode;

const char* op_name(std::int32_t code) {
  switch (static_cast<opcode>(code)) {
    case opcode::create:
      return "create";
    case opcode::remove:
      return "delete";
    case opcode::exists:
      return "exists";
    case opcode::get_data:
      return "get_data";
    case opcode::set_data:
      return "set_data";
    case opcode::get_acl:
      return "get_acl";
    case opcode::set_acl:
      return "set_acl";
    case opcode::get_children:
      return "get_children";
    case opcode::sync:
      return "sync";
    case opcode::ping:
      return "ping";
    case opcode::get_children2:
      return "get_children2";
    case opcode::check:
      return "check";
    case opcode::multi:
      return "multi";
    case opcode::create2:
      return "create2";
    case opcode::reconfig:
      return "reconfig";
    case opcode::check_watches:
      return "check_watches";
    case opcode::remove_watches:
      return "remove_watches";
    case opcode::create_container:
      return "create_container";
    case opcode::create_ttl:
      return "create_ttl";
    case opcode::multi_read:
      return "multi_read";
    case opcode::auth:
      return "auth";
    case opcode::set_watches:
      return "set_watches";
    case opcode::sasl:
      return "sasl";
    case opcode::get_ephemerals:
      return "get_ephemerals";
    case opcode::get_all_children_number:
      return "get_all_children_number";
    case opcode::set_watches2:
      return "set_watches2";
    case opcode::add_watch:
      return "add_watch";
    case opcode::who_am_i:
      return "whoami";
    case opcode::close_session:
      return "close";
    default:
      return nullptr;
  }
}

}  // namespace

void metrics_registry::request_sent(std::int32_t code) {
  const auto slot = static_cast<std::size_t>(code + opcode_offset);
  if (slot < opcode_slots) requests_[slot].fetch_add(1, std::memory_order_relaxed);
}

void metrics_registry::request_done(std::int32_t, std::error_code ec,
                                    std::chrono::nanoseconds latency) {
  if (ec) {
    const bool ours = ec.category() == error_category() && ec.value() <= 0 && ec.value() >= -127;
    errors_[ours ? static_cast<std::size_t>(-ec.value()) : error_slots - 1].fetch_add(
        1, std::memory_order_relaxed);
  }
  const auto us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(latency).count());
  const auto bucket = std::min<std::size_t>(std::bit_width(us), latency_buckets - 1);
  latency_[bucket].fetch_add(1, std::memory_order_relaxed);
}

client_metrics metrics_registry::snapshot() const {
  client_metrics m;
  for (std::size_t i = 0; i < opcode_slots; ++i) {
    const auto n = requests_[i].load(std::memory_order_relaxed);
    if (n == 0) continue;
    const char* name = op_name(static_cast<std::int32_t>(i) - opcode_offset);
    m.requests_by_op[name ? name : "op " + std::to_string(static_cast<int>(i) - opcode_offset)] +=
        n;
  }
  for (std::size_t i = 0; i + 1 < error_slots; ++i)
    if (const auto n = errors_[i].load(std::memory_order_relaxed))
      m.errors_by_code[-static_cast<int>(i)] = n;
  if (const auto n = errors_[error_slots - 1].load(std::memory_order_relaxed))
    m.errors_by_code[static_cast<int>(error::system_error)] += n;
  m.reconnects = reconnects_.load(std::memory_order_relaxed);
  m.expirations = expirations_.load(std::memory_order_relaxed);
  m.watches = watches_.load(std::memory_order_relaxed);
  m.in_flight = in_flight_.load(std::memory_order_relaxed);
  for (std::size_t b = 0; b < latency_buckets; ++b)
    if (const auto n = latency_[b].load(std::memory_order_relaxed))
      m.latency_us.emplace_back(std::uint64_t{1} << b, n);
  return m;
}

}  // namespace zkpp::detail
