#pragma once

// What the client's operations take and give back: plain value types.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "zkpp/types.hpp"

namespace zkpp {

// Called once per event on the client's strand, in the order the server sent them.
using watcher = std::function<void(const watch_event&)>;

struct create_options {
  create_mode mode = create_mode::persistent;
  acl_list acl = acls::open_unsafe();
  // Only for the *_with_ttl modes: 1 ms .. 2^40-1 ms.
  std::chrono::milliseconds ttl{0};
};

struct create_result {
  std::string path{};
  zkpp::stat stat;
};

struct data_result {
  std::string data{};
  zkpp::stat stat;
};

struct children_result {
  std::vector<std::string> children{};
  zkpp::stat stat;
};

struct acl_result {
  acl_list acl;
  zkpp::stat stat;
};

// Operations of a multi (transaction) and of a multi_read.
namespace op {
struct create {
  std::string path{};
  std::string data{};
  create_options options = {};
};
struct remove {
  std::string path{};
  std::int32_t version = -1;
};
struct set_data {
  std::string path{};
  std::string data{};
  std::int32_t version = -1;
};
struct check {
  std::string path{};
  std::int32_t version = -1;
};
struct get_data {
  std::string path{};
};
struct get_children {
  std::string path{};
};
}  // namespace op

using multi_op = std::variant<op::create, op::remove, op::set_data, op::check>;
using read_op = std::variant<op::get_data, op::get_children>;

// One result of a multi or multi_read. `error` is set for a failed op (for a
// failed multi: the failing op's code, runtime_inconsistency after it, and
// success before it, as nothing was applied).
struct op_result {
  std::error_code error;
  std::string path{};                   // create: the created path
  zkpp::stat stat;                      // create (container/TTL), set_data, get_data
  std::string data{};                   // get_data
  std::vector<std::string> children{};  // get_children
};

using multi_result = std::vector<op_result>;

}  // namespace zkpp
