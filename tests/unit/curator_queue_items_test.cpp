#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "zkpp/recipes/curator_queue_items.hpp"

namespace zkpp::recipes {
namespace {

using namespace std::string_literals;

// What Curator 5.4's ItemSerializer writes for the one item "ab".
const std::string curator_ab = "\x00\x01\x00\x01\x01\x00\x00\x00\x02"s + "ab\x02";

TEST(curator_queue_items, OneItemIsFramedAsCuratorFramesIt) {
  EXPECT_EQ(encode_curator_item("ab"), curator_ab);
  EXPECT_EQ(decode_curator_items(curator_ab), std::vector<std::string>{"ab"});
}

TEST(curator_queue_items, SeveralItemsIncludingEmptyAndBinaryOnesRoundTrip) {
  const std::vector<std::string> items{"first", "", "\x00\x02\xff"s, std::string(70000, 'x')};
  const auto framed = encode_curator_items(items);
  EXPECT_EQ(framed.size(), 4 + items.size() * 5 + 5 + 3 + 70000 + 1);
  EXPECT_EQ(decode_curator_items(framed), items);
  EXPECT_EQ(decode_curator_items(encode_curator_items({})), std::vector<std::string>{});
}

TEST(curator_queue_items, BytesAfterTheEndMarkerAreIgnoredLikeCuratorDoes) {
  EXPECT_EQ(decode_curator_items(curator_ab + "trailing"), std::vector<std::string>{"ab"});
}

TEST(curator_queue_items, MalformedDataIsRejected) {
  for (const auto& bad : {
           "plain item"s,                                       // not framed at all
           ""s,                                                 // empty
           "\x00\x01\x00\x02\x02"s,                             // another version
           curator_ab.substr(0, curator_ab.size() - 1),         // no end marker
           curator_ab.substr(0, 8),                             // truncated size
           "\x00\x01\x00\x01\x01\x00\x00\x00\x05"s + "ab\x02",  // size beyond the data
           "\x00\x01\x00\x01\x01\xff\xff\xff\xff\x02"s,         // negative size
           "\x00\x01\x00\x01\x07\x02"s,                         // unknown opcode
       })
    EXPECT_THROW(decode_curator_items(bad), std::invalid_argument) << testing::PrintToString(bad);
}

}  // namespace
}  // namespace zkpp::recipes
