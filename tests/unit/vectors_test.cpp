// Every golden vector of Apache ZooKeeper's own jute classes (tests/data/vectors.json)
// must decode to the listed field values and re-encode byte for byte.

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "zkpp/auth.hpp"
#include "zkpp/detail/jute/encoded_size.hpp"
#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/test/hex.hpp"

namespace {

using json = nlohmann::json;
namespace jute = zkpp::detail::jute;
namespace proto = zkpp::detail::proto;
using zkpp::test::from_hex;
using zkpp::test::to_hex;

// Byte fields are hex in the JSON; text fields are plain strings.
bool is_bytes_field(std::string_view name) {
  static const std::set<std::string_view> names{"data", "passwd", "auth", "token"};
  return names.contains(name);
}

json to_json(std::int32_t v, std::string_view) {
  return v;
}
json to_json(std::int64_t v, std::string_view) {
  return v;
}
json to_json(bool v, std::string_view) {
  return v;
}
json to_json(const std::string& v, std::string_view name) {
  return is_bytes_field(name) ? json(to_hex(v)) : json(v);
}
template <class T>
json to_json(const std::optional<T>& v, std::string_view name);
template <class T>
json to_json(const std::vector<T>& v, std::string_view name);
json to_json(const proto::multi_request& m, std::string_view);
json to_json(const proto::multi_response& m, std::string_view);

template <jute::record R>
json to_json(const R& r, std::string_view = {}) {
  json out = json::object();
  jute::for_each_field<R>([&](auto f) { out[f.name] = to_json(r.*(f.member), f.name); });
  return out;
}

template <class T>
json to_json(const std::optional<T>& v, std::string_view name) {
  return v ? to_json(*v, name) : json(nullptr);
}

template <class T>
json to_json(const std::vector<T>& v, std::string_view name) {
  json out = json::array();
  for (const auto& e : v) out.push_back(to_json(e, name));
  return out;
}

json to_json(const proto::multi_request& m, std::string_view) {
  json ops = json::array();
  for (const auto& op : m.ops)
    ops.push_back({{"type", op.type},
                   {"request", std::visit([](const auto& r) { return to_json(r); }, op.request)}});
  return {{"ops", ops}};
}

json to_json(const proto::multi_response& m, std::string_view) {
  json results = json::array();
  for (const auto& res : m.results) {
    json body = std::visit(
        [](const auto& b) -> json {
          if constexpr (std::is_same_v<std::decay_t<decltype(b)>, std::monostate>)
            return nullptr;
          else
            return to_json(b);
        },
        res.response);
    results.push_back({{"type", res.type}, {"err", res.err}, {"response", body}});
  }
  return {{"results", results}};
}

// Decodes `bytes` entirely as T; the JSON of what was decoded and the re-encoding.
template <class T>
std::pair<json, std::string> round_trip(std::string_view bytes, std::size_t& consumed) {
  T value{};
  jute::reader r{bytes};
  r.get(value);
  EXPECT_TRUE(r.ok());
  consumed = r.position();
  auto encoded = jute::encode(value);
  // The size the server reserves before encoding a reply is the exact size.
  if constexpr (jute::record<T>) {
    EXPECT_EQ(jute::encoded_size(value), encoded.size());
  }
  return {to_json(value, {}), std::move(encoded)};
}

// Java's writer emits a non-BMP character as two 3-byte surrogate sequences
// (CESU-8). zkpp keeps strings as the bytes on the wire, so that vector
// decodes to the CESU-8 form of its listed text.
std::string to_cesu8(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    if ((lead & 0xf8) != 0xf0) {
      out.push_back(utf8[i++]);
      continue;
    }
    std::uint32_t cp = lead & 0x07;
    for (int k = 1; k <= 3; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    i += 4;
    cp -= 0x10000;
    for (std::uint32_t unit : {0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)}) {
      out.push_back(static_cast<char>(0xe0 | (unit >> 12)));
      out.push_back(static_cast<char>(0x80 | ((unit >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (unit & 0x3f)));
    }
  }
  return out;
}

template <class T>
void check_record(const json& v) {
  const auto bytes = from_hex(v["hex"].get<std::string>());
  std::size_t consumed = 0;
  auto [decoded, encoded] = round_trip<T>(bytes, consumed);
  EXPECT_EQ(consumed, bytes.size());
  if (v["name"] == "SyncRequest.unicode_supplementary") {
    EXPECT_EQ(decoded["path"].template get<std::string>(), to_cesu8(v["fields"]["path"]));
  } else {
    EXPECT_EQ(decoded, v["fields"]);
  }
  EXPECT_EQ(to_hex(encoded), v["hex"].get<std::string>());
}

// "frame(A+B)": 4-byte length, header A, optional body B (or a trailing readOnly byte).
template <class Header, class Body = void>
void check_frame(const json& v, const char* header_key, const char* body_key) {
  const auto bytes = from_hex(v["hex"].get<std::string>());
  jute::reader r{bytes};
  std::int32_t len = 0;
  r.get(len);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(len, v["fields"]["len"].get<int>());
  EXPECT_EQ(static_cast<std::size_t>(len), bytes.size() - 4);
  const std::string_view payload = std::string_view{bytes}.substr(4);
  std::size_t used = 0;
  auto [header, header_bytes] = round_trip<Header>(payload, used);
  EXPECT_EQ(header, v["fields"][header_key]);
  std::string reencoded = header_bytes;
  const auto rest = payload.substr(used);
  if constexpr (std::is_same_v<Body, bool>) {
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0] != 0, v["fields"][body_key].get<bool>());
    reencoded += rest;
  } else if constexpr (!std::is_void_v<Body>) {
    std::size_t body_used = 0;
    auto [body, body_bytes] = round_trip<Body>(rest, body_used);
    EXPECT_EQ(body_used, rest.size());
    EXPECT_EQ(body, v["fields"][body_key]);
    reencoded += body_bytes;
  } else {
    EXPECT_TRUE(rest.empty());
  }
  std::string framed;
  jute::writer w{framed};
  w.put(static_cast<std::int32_t>(reencoded.size()));
  framed += reencoded;
  EXPECT_EQ(to_hex(framed), v["hex"].get<std::string>());
}

using checker = std::function<void(const json&)>;

const std::map<std::string, checker>& checkers() {
  using namespace proto;
  static const std::map<std::string, checker> table{
      {"Id", check_record<zkpp::id>},
      {"ACL", check_record<zkpp::acl>},
      {"Stat", check_record<zkpp::stat>},
      {"ClientInfo", check_record<zkpp::client_info>},
      {"RequestHeader", check_record<request_header>},
      {"ReplyHeader", check_record<reply_header>},
      {"ConnectRequest", check_record<connect_request>},
      {"ConnectResponse", check_record<connect_response>},
      {"MultiHeader", check_record<multi_header>},
      {"AuthPacket", check_record<auth_packet>},
      {"CreateRequest", check_record<create_request>},
      {"CreateTTLRequest", check_record<create_ttl_request>},
      {"CreateResponse", check_record<create_response>},
      {"Create2Response", check_record<create2_response>},
      {"DeleteRequest", check_record<delete_request>},
      {"ExistsRequest", check_record<exists_request>},
      {"ExistsResponse", check_record<exists_response>},
      {"GetDataRequest", check_record<get_data_request>},
      {"GetDataResponse", check_record<get_data_response>},
      {"SetDataRequest", check_record<set_data_request>},
      {"SetDataResponse", check_record<set_data_response>},
      {"GetACLRequest", check_record<get_acl_request>},
      {"GetACLResponse", check_record<get_acl_response>},
      {"SetACLRequest", check_record<set_acl_request>},
      {"SetACLResponse", check_record<set_acl_response>},
      {"GetChildrenRequest", check_record<get_children_request>},
      {"GetChildrenResponse", check_record<get_children_response>},
      {"GetChildren2Request", check_record<get_children2_request>},
      {"GetChildren2Response", check_record<get_children2_response>},
      {"GetAllChildrenNumberRequest", check_record<get_all_children_number_request>},
      {"GetAllChildrenNumberResponse", check_record<get_all_children_number_response>},
      {"GetEphemeralsRequest", check_record<get_ephemerals_request>},
      {"GetEphemeralsResponse", check_record<get_ephemerals_response>},
      {"SyncRequest", check_record<sync_request>},
      {"SyncResponse", check_record<sync_response>},
      {"CheckVersionRequest", check_record<check_version_request>},
      {"SetWatches", check_record<set_watches>},
      {"SetWatches2", check_record<set_watches2>},
      {"AddWatchRequest", check_record<add_watch_request>},
      {"ErrorResponse", check_record<error_response>},
      {"CheckWatchesRequest", check_record<check_watches_request>},
      {"RemoveWatchesRequest", check_record<remove_watches_request>},
      {"WatcherEvent", check_record<watcher_event>},
      {"WhoAmIResponse", check_record<who_am_i_response>},
      {"ReconfigRequest", check_record<reconfig_request>},
      {"GetSASLRequest", check_record<sasl_token>},
      {"SetSASLRequest", check_record<sasl_token>},
      {"SetSASLResponse", check_record<sasl_token>},
      {"MultiOperationRecord", check_record<multi_request>},
      {"MultiResponse", check_record<multi_response>},
      {"frame(ConnectRequest+readOnly)",
       [](const json& v) { check_frame<connect_request, bool>(v, "connect", "readOnly"); }},
      {"frame(ConnectResponse+readOnly)",
       [](const json& v) { check_frame<connect_response, bool>(v, "connect", "readOnly"); }},
      {"frame(RequestHeader)",
       [](const json& v) { check_frame<request_header>(v, "header", nullptr); }},
      {"frame(ReplyHeader)",
       [](const json& v) { check_frame<reply_header>(v, "header", nullptr); }},
      {"frame(RequestHeader+CreateRequest)",
       [](const json& v) { check_frame<request_header, create_request>(v, "header", "request"); }},
      {"frame(RequestHeader+GetDataRequest)",
       [](const json& v) {
         check_frame<request_header, get_data_request>(v, "header", "request");
       }},
      {"frame(RequestHeader+AuthPacket)",
       [](const json& v) { check_frame<request_header, auth_packet>(v, "header", "request"); }},
      {"frame(RequestHeader+MultiOperationRecord)",
       [](const json& v) { check_frame<request_header, multi_request>(v, "header", "request"); }},
      {"frame(RequestHeader+AddWatchRequest)",
       [](const json& v) {
         check_frame<request_header, add_watch_request>(v, "header", "request");
       }},
      {"frame(ReplyHeader+WatcherEvent)",
       [](const json& v) { check_frame<reply_header, watcher_event>(v, "header", "response"); }},
      {"frame(ReplyHeader+GetDataResponse)",
       [](const json& v) {
         check_frame<reply_header, get_data_response>(v, "header", "response");
       }},
      {"frame(ReplyHeader+ErrorResponse)",
       [](const json& v) { check_frame<reply_header, error_response>(v, "header", "response"); }},
      {"DigestAuthenticationProvider.generateDigest",
       [](const json& v) {
         const auto input = v["fields"]["input"].get<std::string>();
         const auto colon = input.find(':');
         const auto id = zkpp::digest_id(input.substr(0, colon), input.substr(colon + 1));
         EXPECT_EQ(id, v["fields"]["output"].get<std::string>());
         EXPECT_EQ(to_hex(id), v["hex"].get<std::string>());
       }},
  };
  return table;
}

json load_vectors() {
  std::ifstream in{ZKPP_VECTORS_FILE};
  return json::parse(in);
}

class golden_vector : public ::testing::TestWithParam<json> {};

TEST_P(golden_vector, decodes_to_fields_and_reencodes_byte_for_byte) {
  const auto& v = GetParam();
  const auto record = v["record"].get<std::string>();
  const auto it = checkers().find(record);
  ASSERT_NE(it, checkers().end()) << "no decoder registered for " << record;
  SCOPED_TRACE(v["name"].get<std::string>());
  it->second(v);
}

std::vector<json> all_vectors() {
  auto doc = load_vectors();
  return {doc.begin(), doc.end()};
}

INSTANTIATE_TEST_SUITE_P(vectors_json, golden_vector, ::testing::ValuesIn(all_vectors()),
                         [](const auto& info) {
                           std::string name = info.param["name"];
                           for (auto& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(golden_vectors, all_131_are_present) {
  EXPECT_EQ(load_vectors().size(), 131u);
}

}  // namespace
