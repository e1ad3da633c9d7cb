// Decoding never trusts the input: truncations, negative or oversized lengths
// and counts, and unknown multi op types all fail cleanly (reader.ok() false),
// without crashing, over-reading or allocating for a hostile count.

#include <gtest/gtest.h>

#include <climits>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/test/all_records.hpp"
#include "zkpp/test/hex.hpp"

namespace {

namespace jute = zkpp::detail::jute;
namespace proto = zkpp::detail::proto;
using zkpp::test::from_hex;

// Bytes built field by field, for hand-made malformed input.
template <class... Ts>
std::string bytes(const Ts&... values) {
  std::string out;
  jute::writer w{out};
  (w.put(values), ...);
  return out;
}

template <class T>
bool decodes(std::string_view in) {
  T v;
  return jute::decode(in, v);
}

// Every strict prefix of a valid encoding must fail: each field is needed.
template <class T>
void expect_every_truncation_fails(const std::string& encoding, const std::string& what) {
  T full;
  jute::reader r{encoding};
  r.get(full);
  ASSERT_TRUE(r.ok()) << what;
  ASSERT_EQ(r.remaining(), 0u) << what;
  for (std::size_t n = 0; n < encoding.size(); ++n) {
    T v;
    jute::reader t{std::string_view{encoding}.substr(0, n)};
    t.get(v);
    EXPECT_FALSE(t.ok()) << what << " truncated to " << n << " of " << encoding.size() << " bytes";
    EXPECT_LE(t.position(), n) << what;
  }
}

// Java record name -> truncation check for that record's type.
std::map<std::string, void (*)(const std::string&, const std::string&)> truncation_checks() {
  std::map<std::string, void (*)(const std::string&, const std::string&)> m;
  zkpp::test::for_each_record_type([&]<class T>(std::type_identity<T>, const char* name) {
    m[name] = &expect_every_truncation_fails<T>;
  });
  return m;
}

TEST(codec_bounds, every_truncation_of_every_golden_vector_fails) {
  std::ifstream in{ZKPP_VECTORS_FILE};
  auto vectors = nlohmann::json::parse(in);
  auto checks = truncation_checks();
  std::size_t checked = 0;
  for (const auto& v : vectors) {
    auto it = checks.find(v["record"].get<std::string>());
    if (it == checks.end()) continue;  // frames and digests are not records
    it->second(from_hex(v["hex"].get<std::string>()), v["name"].get<std::string>());
    ++checked;
  }
  EXPECT_GE(checked, 100u);
  // Every record name the list knows has at least one vector.
  for (const auto& [name, check] : checks) {
    bool found = false;
    for (const auto& v : vectors) found = found || v["record"] == name;
    EXPECT_TRUE(found) << "no golden vector for " << name;
  }
}

TEST(codec_bounds, every_truncation_of_default_records_fails) {
  zkpp::test::for_each_record_type([]<class T>(std::type_identity<T>, const char* name) {
    expect_every_truncation_fails<T>(jute::encode(T{}), std::string(name) + "{}");
  });
}

TEST(codec_bounds, nothing_decodes_from_no_bytes_except_empty_records) {
  zkpp::test::for_each_record_type([]<class T>(std::type_identity<T>, const char* name) {
    const std::string none;
    EXPECT_EQ(decodes<T>(none), jute::encode(T{}).empty()) << name;
  });
}

TEST(codec_bounds, negative_string_lengths_fail_except_null) {
  // ustring: -1 reads as empty (Java writes null that way), other negatives fail.
  proto::path_record p;
  EXPECT_TRUE(jute::decode(bytes(std::int32_t{-1}), p));
  EXPECT_EQ(p.path, "");
  for (std::int32_t len : {-2, -100, INT32_MIN}) {
    EXPECT_FALSE(decodes<proto::path_record>(bytes(len, std::int64_t{0}))) << len;
    EXPECT_FALSE(decodes<proto::sync_request>(bytes(len, std::int64_t{0}))) << len;
    EXPECT_FALSE(decodes<proto::get_data_response>(bytes(len, proto::stat_response{}))) << len;
  }
  // Nullable buffer: -1 is null.
  proto::get_data_response r;
  ASSERT_TRUE(jute::decode(bytes(std::int32_t{-1}, zkpp::stat{}), r));
  EXPECT_FALSE(r.data.has_value());
}

TEST(codec_bounds, lengths_past_the_end_fail) {
  EXPECT_FALSE(decodes<proto::path_record>(bytes(std::int32_t{5}) + "abcd"));
  EXPECT_TRUE(decodes<proto::path_record>(bytes(std::int32_t{5}) + "abcde"));
  // Huge lengths fail on the bounds check, before any allocation.
  for (std::int32_t len : {INT32_MAX, proto::default_max_buffer, 1 << 30}) {
    EXPECT_FALSE(decodes<proto::path_record>(bytes(len) + "abc")) << len;
    EXPECT_FALSE(decodes<proto::get_data_response>(bytes(len) + std::string(80, 'x'))) << len;
    EXPECT_FALSE(decodes<proto::connect_response>(
        bytes(std::int32_t{0}, std::int32_t{1}, std::int64_t{1}, len) + "pw"))
        << len;
  }
}

TEST(codec_bounds, huge_or_negative_counts_fail_without_allocating) {
  // A count of 0x7fffffff strings would need ~64 GiB if it were trusted.
  for (std::int32_t count : {INT32_MAX, 1 << 24, -2, INT32_MIN}) {
    std::string tail(64, '\0');
    EXPECT_FALSE(decodes<proto::get_children_response>(bytes(count) + tail)) << count;
    EXPECT_FALSE(decodes<proto::get_ephemerals_response>(bytes(count) + tail)) << count;
    EXPECT_FALSE(decodes<proto::who_am_i_response>(bytes(count) + tail)) << count;
    EXPECT_FALSE(decodes<proto::get_acl_response>(bytes(count) + tail)) << count;
    EXPECT_FALSE(decodes<proto::set_watches>(bytes(std::int64_t{0}, count) + tail)) << count;
    // CreateRequest's ACL list is nullable, so only -1 is special.
    EXPECT_FALSE(decodes<proto::create_request>(bytes("/a", std::int32_t{-1}, count) + tail))
        << count;
  }
  // A count that fits the bytes but whose elements do not.
  EXPECT_FALSE(decodes<proto::get_children_response>(bytes(std::int32_t{3}, "a", "b")));
  EXPECT_TRUE(decodes<proto::get_children_response>(bytes(std::int32_t{2}, "a", "b")));
}

TEST(codec_bounds, a_failed_reader_stays_failed_and_leaves_values_alone) {
  std::string in = bytes(std::int32_t{7});
  jute::reader r{in};
  std::int64_t big = 42;
  r.get(big);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(big, 42);
  std::int32_t small = 5;
  r.get(small);  // would fit, but the reader has failed
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(small, 5);
  EXPECT_EQ(r.position(), 0u);
}

std::string multi_header_bytes(proto::opcode type, bool done = false, std::int32_t err = -1) {
  return bytes(proto::multi_header{static_cast<std::int32_t>(type), done, err});
}

std::string multi_done() {
  return multi_header_bytes(proto::opcode::error, true);
}

TEST(codec_bounds, multi_with_unknown_or_unsupported_op_types_fails) {
  const std::string body = bytes(proto::path_version_request{"/a", -1});
  // A valid one first, so that the failures below are about the type alone.
  EXPECT_TRUE(decodes<proto::multi_request>(multi_header_bytes(proto::opcode::remove) + body +
                                            multi_done()));
  for (std::int32_t type : {99, -5, 0, 9 /* sync */, 14 /* multi */, 100, INT32_MIN}) {
    std::string in = bytes(proto::multi_header{type, false, -1}) + body + multi_done();
    EXPECT_FALSE(decodes<proto::multi_request>(in)) << type;
    EXPECT_FALSE(decodes<proto::multi_response>(in)) << type;
  }
}

TEST(codec_bounds, multi_without_terminator_fails) {
  const std::string op =
      multi_header_bytes(proto::opcode::check) + bytes(proto::path_version_request{"/a", 3});
  EXPECT_FALSE(decodes<proto::multi_request>(op));
  EXPECT_FALSE(decodes<proto::multi_request>(op + op));
  EXPECT_TRUE(decodes<proto::multi_request>(op + op + multi_done()));
  std::string results = multi_header_bytes(proto::opcode::remove, false, 0);
  EXPECT_FALSE(decodes<proto::multi_response>(results + results));
  EXPECT_TRUE(decodes<proto::multi_response>(results + results + multi_done()));
}

// A transaction that deletes many nodes answers with that many body-less
// results; each costs 9 header bytes, so the input bounds the count.
TEST(codec_bounds, multi_response_with_many_bodiless_results_decodes) {
  std::string results;
  for (int i = 0; i < 11; ++i) results += multi_header_bytes(proto::opcode::remove, false, 0);
  EXPECT_FALSE(decodes<proto::multi_response>(results));
  EXPECT_TRUE(decodes<proto::multi_response>(results + multi_done()));
}

TEST(codec_bounds, multi_with_malformed_op_body_fails) {
  std::string in = multi_header_bytes(proto::opcode::create) +
                   bytes(std::string("/a"), std::int32_t{INT32_MAX}) + multi_done();
  EXPECT_FALSE(decodes<proto::multi_request>(in));
  std::string res = multi_header_bytes(proto::opcode::get_children, false, 0) +
                    bytes(std::int32_t{INT32_MAX}) + multi_done();
  EXPECT_FALSE(decodes<proto::multi_response>(res));
}

}  // namespace
