#pragma once

// Every jute record of the client protocol, each defined once with its fields
// in wire order (PROTOCOL.md §6). Records of the same shape share one type;
// the aliases keep ZooKeeper's names.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "zkpp/detail/jute/field.hpp"
#include "zkpp/types.hpp"

namespace zkpp::detail::jute {
class writer;
class reader;
}  // namespace zkpp::detail::jute

namespace zkpp::detail::proto {

using jute::field;
using nullable_bytes = std::optional<std::string>;

struct request_header {
  std::int32_t xid = 0;
  std::int32_t type = 0;
  static constexpr auto fields() {
    return std::tuple{field{"xid", &request_header::xid}, field{"type", &request_header::type}};
  }
};

struct reply_header {
  std::int32_t xid = 0;
  std::int64_t zxid = 0;
  std::int32_t err = 0;
  static constexpr auto fields() {
    return std::tuple{field{"xid", &reply_header::xid}, field{"zxid", &reply_header::zxid},
                      field{"err", &reply_header::err}};
  }
};
inline constexpr std::size_t reply_header_size = 16;

// The 3.8 records; the trailing readOnly byte is appended / probed separately.
struct connect_request {
  std::int32_t protocol_version = 0;
  std::int64_t last_zxid_seen = 0;
  std::int32_t time_out = 0;
  std::int64_t session_id = 0;
  std::string passwd;
  static constexpr auto fields() {
    return std::tuple{field{"protocolVersion", &connect_request::protocol_version},
                      field{"lastZxidSeen", &connect_request::last_zxid_seen},
                      field{"timeOut", &connect_request::time_out},
                      field{"sessionId", &connect_request::session_id},
                      field{"passwd", &connect_request::passwd}};
  }
};

struct connect_response {
  std::int32_t protocol_version = 0;
  std::int32_t time_out = 0;
  std::int64_t session_id = 0;
  std::string passwd;
  static constexpr auto fields() {
    return std::tuple{field{"protocolVersion", &connect_response::protocol_version},
                      field{"timeOut", &connect_response::time_out},
                      field{"sessionId", &connect_response::session_id},
                      field{"passwd", &connect_response::passwd}};
  }
};
inline constexpr std::size_t session_password_size = 16;

struct multi_header {
  std::int32_t type = 0;
  bool done = false;
  std::int32_t err = 0;
  static constexpr auto fields() {
    return std::tuple{field{"type", &multi_header::type}, field{"done", &multi_header::done},
                      field{"err", &multi_header::err}};
  }
};

struct auth_packet {
  std::int32_t type = 0;
  std::string scheme;
  nullable_bytes auth;
  static constexpr auto fields() {
    return std::tuple{field{"type", &auth_packet::type}, field{"scheme", &auth_packet::scheme},
                      field{"auth", &auth_packet::auth}};
  }
};

struct create_request {
  std::string path;
  nullable_bytes data;
  std::optional<acl_list> acl;
  std::int32_t flags = 0;
  static constexpr auto fields() {
    return std::tuple{field{"path", &create_request::path}, field{"data", &create_request::data},
                      field{"acl", &create_request::acl}, field{"flags", &create_request::flags}};
  }
};

struct create_ttl_request {
  std::string path;
  nullable_bytes data;
  std::optional<acl_list> acl;
  std::int32_t flags = 0;
  std::int64_t ttl = 0;
  static constexpr auto fields() {
    return std::tuple{
        field{"path", &create_ttl_request::path}, field{"data", &create_ttl_request::data},
        field{"acl", &create_ttl_request::acl}, field{"flags", &create_ttl_request::flags},
        field{"ttl", &create_ttl_request::ttl}};
  }
};

// {ustring path}: GetACLRequest, CreateResponse, SyncResponse, GetAllChildrenNumberRequest.
struct path_record {
  std::string path;
  static constexpr auto fields() { return std::tuple{field{"path", &path_record::path}}; }
};
using get_acl_request = path_record;
using create_response = path_record;
using sync_response = path_record;
using get_all_children_number_request = path_record;

// SyncRequest keeps a nullable path: servers must answer a null one.
struct sync_request {
  std::optional<std::string> path;
  static constexpr auto fields() { return std::tuple{field{"path", &sync_request::path}}; }
};

struct create2_response {
  std::string path;
  zkpp::stat stat;
  static constexpr auto fields() {
    return std::tuple{field{"path", &create2_response::path},
                      field{"stat", &create2_response::stat}};
  }
};

// {ustring path, int version}: DeleteRequest, CheckVersionRequest.
struct path_version_request {
  std::string path;
  std::int32_t version = -1;
  static constexpr auto fields() {
    return std::tuple{field{"path", &path_version_request::path},
                      field{"version", &path_version_request::version}};
  }
};
using delete_request = path_version_request;
using check_version_request = path_version_request;

// {ustring path, bool watch}: Exists, GetData, GetChildren, GetChildren2 requests.
struct path_watch_request {
  std::string path;
  bool watch = false;
  static constexpr auto fields() {
    return std::tuple{field{"path", &path_watch_request::path},
                      field{"watch", &path_watch_request::watch}};
  }
};
using exists_request = path_watch_request;
using get_data_request = path_watch_request;
using get_children_request = path_watch_request;
using get_children2_request = path_watch_request;

// {Stat stat}: Exists, SetData, SetACL responses.
struct stat_response {
  zkpp::stat stat;
  static constexpr auto fields() { return std::tuple{field{"stat", &stat_response::stat}}; }
};
using exists_response = stat_response;
using set_data_response = stat_response;
using set_acl_response = stat_response;

// Bytes is std::string_view when the server encodes a node's data straight
// from its tree, without a copy.
template <class Bytes>
struct basic_get_data_response {
  std::optional<Bytes> data;
  zkpp::stat stat;
  static constexpr auto fields() {
    return std::tuple{field{"data", &basic_get_data_response::data},
                      field{"stat", &basic_get_data_response::stat}};
  }
};
using get_data_response = basic_get_data_response<std::string>;
using get_data_view = basic_get_data_response<std::string_view>;

struct set_data_request {
  std::string path;
  nullable_bytes data;
  std::int32_t version = -1;
  static constexpr auto fields() {
    return std::tuple{field{"path", &set_data_request::path},
                      field{"data", &set_data_request::data},
                      field{"version", &set_data_request::version}};
  }
};

struct get_acl_response {
  acl_list acl;
  zkpp::stat stat;
  static constexpr auto fields() {
    return std::tuple{field{"acl", &get_acl_response::acl}, field{"stat", &get_acl_response::stat}};
  }
};

struct set_acl_request {
  std::string path;
  acl_list acl;
  std::int32_t version = -1;
  static constexpr auto fields() {
    return std::tuple{field{"path", &set_acl_request::path}, field{"acl", &set_acl_request::acl},
                      field{"version", &set_acl_request::version}};
  }
};

struct get_children_response {
  std::vector<std::string> children;
  static constexpr auto fields() {
    return std::tuple{field{"children", &get_children_response::children}};
  }
};

struct get_children2_response {
  std::vector<std::string> children;
  zkpp::stat stat;
  static constexpr auto fields() {
    return std::tuple{field{"children", &get_children2_response::children},
                      field{"stat", &get_children2_response::stat}};
  }
};

struct set_watches {
  std::int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  static constexpr auto fields() {
    return std::tuple{field{"relativeZxid", &set_watches::relative_zxid},
                      field{"dataWatches", &set_watches::data_watches},
                      field{"existWatches", &set_watches::exist_watches},
                      field{"childWatches", &set_watches::child_watches}};
  }
};

struct set_watches2 {
  std::int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  std::vector<std::string> persistent_watches;
  std::vector<std::string> persistent_recursive_watches;
  static constexpr auto fields() {
    return std::tuple{
        field{"relativeZxid", &set_watches2::relative_zxid},
        field{"dataWatches", &set_watches2::data_watches},
        field{"existWatches", &set_watches2::exist_watches},
        field{"childWatches", &set_watches2::child_watches},
        field{"persistentWatches", &set_watches2::persistent_watches},
        field{"persistentRecursiveWatches", &set_watches2::persistent_recursive_watches}};
  }
};

struct add_watch_request {
  std::string path;
  std::int32_t mode = 0;
  static constexpr auto fields() {
    return std::tuple{field{"path", &add_watch_request::path},
                      field{"mode", &add_watch_request::mode}};
  }
};

// {ustring path, int type}: CheckWatchesRequest, RemoveWatchesRequest.
struct path_type_request {
  std::string path;
  std::int32_t type = 0;
  static constexpr auto fields() {
    return std::tuple{field{"path", &path_type_request::path},
                      field{"type", &path_type_request::type}};
  }
};
using check_watches_request = path_type_request;
using remove_watches_request = path_type_request;

struct watcher_event {
  std::int32_t type = 0;
  std::int32_t state = 0;
  std::string path;
  static constexpr auto fields() {
    return std::tuple{field{"type", &watcher_event::type}, field{"state", &watcher_event::state},
                      field{"path", &watcher_event::path}};
  }
};

struct error_response {
  std::int32_t err = 0;
  static constexpr auto fields() { return std::tuple{field{"err", &error_response::err}}; }
};

struct get_ephemerals_request {
  std::string prefix_path;
  static constexpr auto fields() {
    return std::tuple{field{"prefixPath", &get_ephemerals_request::prefix_path}};
  }
};

struct get_ephemerals_response {
  std::vector<std::string> ephemerals;
  static constexpr auto fields() {
    return std::tuple{field{"ephemerals", &get_ephemerals_response::ephemerals}};
  }
};

struct get_all_children_number_response {
  std::int32_t total_number = 0;
  static constexpr auto fields() {
    return std::tuple{field{"totalNumber", &get_all_children_number_response::total_number}};
  }
};

struct who_am_i_response {
  std::vector<zkpp::client_info> client_info;
  static constexpr auto fields() {
    return std::tuple{field{"clientInfo", &who_am_i_response::client_info}};
  }
};

struct reconfig_request {
  std::optional<std::string> joining_servers;
  std::optional<std::string> leaving_servers;
  std::optional<std::string> new_members;
  std::int64_t cur_config_id = -1;
  static constexpr auto fields() {
    return std::tuple{field{"joiningServers", &reconfig_request::joining_servers},
                      field{"leavingServers", &reconfig_request::leaving_servers},
                      field{"newMembers", &reconfig_request::new_members},
                      field{"curConfigId", &reconfig_request::cur_config_id}};
  }
};

// {buffer token}: GetSASLRequest, SetSASLRequest, SetSASLResponse.
struct sasl_token {
  std::string token;
  static constexpr auto fields() { return std::tuple{field{"token", &sasl_token::token}}; }
};

// One sub-operation of a multi / multiRead request; `type` selects the record.
struct multi_op {
  using request_variant = std::variant<create_request, create_ttl_request, path_version_request,
                                       set_data_request, path_watch_request>;
  std::int32_t type = 0;
  request_variant request;
};

struct multi_request {
  std::vector<multi_op> ops;
  void write_to(jute::writer& w) const;
  void read_from(jute::reader& r);
};

// One result of a multi / multiRead response; `type` selects the record
// (-1: error_response; delete and check: no body).
struct multi_result {
  using response_variant =
      std::variant<std::monostate, path_record, create2_response, stat_response, get_data_response,
                   get_children_response, error_response>;
  std::int32_t type = 0;
  std::int32_t err = 0;
  response_variant response;
};

struct multi_response {
  std::vector<multi_result> results;
  void write_to(jute::writer& w) const;
  void read_from(jute::reader& r);
};

}  // namespace zkpp::detail::proto
