#pragma once

// Reads and writes of single nodes that the counters, barriers and group
// recipes share; each carries on through connection loss (with retry_later's
// backoff) and never repeats a write whose first try may have landed.

#include <boost/endian/conversion.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "zkpp/client.hpp"

namespace zkpp::recipes::detail {

// A big-endian two's-complement integer of sizeof(T) bytes (Java's layout).
template <class T>
std::string to_big_endian(T v) {
  std::string out(sizeof(T), '\0');
  boost::endian::endian_store<T, sizeof(T), boost::endian::order::big>(
      reinterpret_cast<unsigned char*>(out.data()), v);
  return out;
}

// nullopt unless `bytes` holds exactly sizeof(T) bytes.
template <class T>
std::optional<T> from_big_endian(std::string_view bytes) {
  if (bytes.size() != sizeof(T)) return std::nullopt;
  return boost::endian::endian_load<T, sizeof(T), boost::endian::order::big>(
      reinterpret_cast<const unsigned char*>(bytes.data()));
}

// Creates `path` with `mode`, its missing ancestors as containers; retried
// through connection loss. node_exists is passed on: after a retry it may be
// our own first try, which the caller knows how to tell.
void create_with_parents(client& zk, const std::string& path, const std::string& data,
                         create_mode mode, std::function<void(std::error_code)> done);

// The node's data and stat, or nullopt when it does not exist.
void read_node(client& zk, const std::string& path,
               std::function<void(std::error_code, std::optional<data_result>)> done);

// Version meaning "the node does not exist yet" for conditional_write.
inline constexpr std::int32_t absent = -2;

// Writes `data` if the node's version is still `version` (-1: any; absent:
// creates the node, persistent). Fails with bad_version (node_exists when
// creating) when someone else wrote first. After a connection loss it looks
// again: it retries only when the node shows the write did not land, and
// otherwise completes with connection_loss (the outcome is in doubt).
void conditional_write(client& zk, const std::string& path, const std::string& data,
                       std::int32_t version, std::function<void(std::error_code)> done);

}  // namespace zkpp::recipes::detail
