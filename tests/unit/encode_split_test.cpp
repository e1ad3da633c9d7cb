// jute::encode_split: a record's encoding with one large byte string left out
// (the server sends getData's data from its own block this way).

#include <gtest/gtest.h>

#include <string>

#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/records.hpp"

namespace {

namespace jute = zkpp::detail::jute;
namespace proto = zkpp::detail::proto;

proto::get_data_view reply_with(std::string_view data) {
  proto::get_data_view r;
  r.data = data;
  r.stat.version = 7;
  r.stat.mzxid = 0x1234;
  return r;
}

TEST(encode_split, head_data_and_rest_together_are_the_whole_encoding) {
  const std::string data(5000, 'd');
  const auto r = reply_with(data);
  std::string head = "HDR", rest;
  const auto left_out = jute::encode_split(r, 4096, head, rest);
  EXPECT_EQ(left_out.data(), data.data()) << "the string itself, not a copy";
  EXPECT_EQ(left_out.size(), data.size());
  EXPECT_EQ(head.substr(0, 3), "HDR") << "appended to what head held";
  EXPECT_EQ(head.substr(3) + std::string{left_out} + rest, jute::encode(r));
}

TEST(encode_split, strings_under_the_minimum_stay_in_the_head) {
  const std::string data(4095, 'd');
  const auto r = reply_with(data);
  std::string head, rest;
  EXPECT_TRUE(jute::encode_split(r, 4096, head, rest).empty());
  EXPECT_TRUE(rest.empty());
  EXPECT_EQ(head, jute::encode(r));
}

TEST(encode_split, only_the_first_large_string_is_left_out) {
  const std::string path(100, 'b'), data(100, 'c');
  const proto::set_data_request req{path, data, 3};
  std::string head, rest;
  const auto left_out = jute::encode_split(req, 50, head, rest);
  EXPECT_EQ(left_out, path);
  EXPECT_NE(rest.find(data), std::string::npos) << "the later large string is encoded in rest";
  EXPECT_EQ(head + std::string{left_out} + rest, jute::encode(req));
}

}  // namespace
