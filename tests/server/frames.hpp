#pragma once

// Building request frames and reading reply frames with the shared records.

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/error.hpp"
#include "zkpp/test/hex.hpp"

namespace zkpp::test {

namespace jute = detail::jute;
namespace proto = detail::proto;
using proto::opcode;

// A ZooKeeper error code as ReplyHeader.err carries it.
constexpr int code(error e) {
  return static_cast<int>(e);
}

inline std::string with_length(std::string payload) {
  std::string out;
  jute::writer w{out};
  w.put(static_cast<std::int32_t>(payload.size()));
  return out + payload;
}

inline std::string connect_payload(std::int64_t session_id = 0,
                                   std::string passwd = std::string(16, '\0'),
                                   std::int32_t timeout_ms = 30000, bool read_only_byte = true,
                                   std::int64_t last_zxid = 0) {
  auto out = jute::encode(proto::connect_request{0, last_zxid, timeout_ms, session_id, passwd});
  if (read_only_byte) out.push_back('\0');
  return out;
}

inline std::string request(std::int32_t xid, opcode op) {
  return jute::encode(proto::request_header{xid, static_cast<std::int32_t>(op)});
}

template <class Record>
std::string request(std::int32_t xid, opcode op, const Record& body) {
  return request(xid, op) + jute::encode(body);
}

struct reply {
  proto::reply_header header;
  std::string body;
};

inline reply parse_reply(std::string_view payload) {
  jute::reader r{payload};
  reply out;
  r.get(out.header);
  if (!r.ok()) throw std::runtime_error("reply shorter than a ReplyHeader");
  out.body = std::string{payload.substr(r.position())};
  return out;
}

template <class Record>
Record decode_as(std::string_view bytes) {
  Record r;
  if (!jute::decode(bytes, r)) throw std::runtime_error("reply body does not decode");
  return r;
}

inline proto::create_request create_req(std::string path, std::optional<std::string> data = "",
                                        create_mode mode = create_mode::persistent,
                                        std::optional<acl_list> acl = acls::open_unsafe()) {
  return {std::move(path), std::move(data), std::move(acl), static_cast<std::int32_t>(mode)};
}

}  // namespace zkpp::test
