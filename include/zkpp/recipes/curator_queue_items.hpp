#pragma once

// Apache Curator's DistributedQueue item framing (its ItemSerializer), so that
// a distributed_queue can share a queue with Curator producers and consumers.
// Curator frames the items of one queue node as: the version 0x00010001
// (int32), then for each item the byte 0x01, its size (int32) and its bytes,
// and a final byte 0x02; integers big-endian. A Curator put() stores one
// item per node, putMulti() several.
//
// distributed_queue stores and returns a node's bytes as they are: put
// encode_curator_item(item) for Curator consumers, and read a Curator
// producer's node with decode_curator_items(data).

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zkpp::recipes {

std::string encode_curator_items(std::span<const std::string> items);
std::string encode_curator_item(const std::string& item);

// The items framed in one node's data, in order (bytes after the end marker
// are ignored, as Curator does). Throws std::invalid_argument when `data` is
// not in Curator's format.
std::vector<std::string> decode_curator_items(std::string_view data);

}  // namespace zkpp::recipes
