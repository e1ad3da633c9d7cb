#pragma once

// Every record type the codec decodes, by its Java name, for tests and
// fuzzers that must cover all of them. Header-only: needs zkpp::proto headers.

#include <type_traits>

#include "zkpp/detail/proto/records.hpp"
#include "zkpp/types.hpp"

namespace zkpp::test {

// Calls f(std::type_identity<T>{}, "JavaName") for each record name; types
// shared by several names (aliases) come once per name.
template <class F>
void for_each_record_type(F&& f) {
  namespace p = zkpp::detail::proto;
  auto one = [&]<class T>(const char* name) { f(std::type_identity<T>{}, name); };
  one.template operator()<zkpp::id>("Id");
  one.template operator()<zkpp::acl>("ACL");
  one.template operator()<zkpp::stat>("Stat");
  one.template operator()<zkpp::client_info>("ClientInfo");
  one.template operator()<p::request_header>("RequestHeader");
  one.template operator()<p::reply_header>("ReplyHeader");
  one.template operator()<p::connect_request>("ConnectRequest");
  one.template operator()<p::connect_response>("ConnectResponse");
  one.template operator()<p::multi_header>("MultiHeader");
  one.template operator()<p::auth_packet>("AuthPacket");
  one.template operator()<p::create_request>("CreateRequest");
  one.template operator()<p::create_ttl_request>("CreateTTLRequest");
  one.template operator()<p::path_record>("CreateResponse");
  one.template operator()<p::path_record>("GetACLRequest");
  one.template operator()<p::path_record>("SyncResponse");
  one.template operator()<p::path_record>("GetAllChildrenNumberRequest");
  one.template operator()<p::sync_request>("SyncRequest");
  one.template operator()<p::create2_response>("Create2Response");
  one.template operator()<p::path_version_request>("DeleteRequest");
  one.template operator()<p::path_version_request>("CheckVersionRequest");
  one.template operator()<p::path_watch_request>("GetDataRequest");
  one.template operator()<p::path_watch_request>("ExistsRequest");
  one.template operator()<p::path_watch_request>("GetChildrenRequest");
  one.template operator()<p::path_watch_request>("GetChildren2Request");
  one.template operator()<p::stat_response>("ExistsResponse");
  one.template operator()<p::stat_response>("SetDataResponse");
  one.template operator()<p::stat_response>("SetACLResponse");
  one.template operator()<p::get_data_response>("GetDataResponse");
  one.template operator()<p::set_data_request>("SetDataRequest");
  one.template operator()<p::get_acl_response>("GetACLResponse");
  one.template operator()<p::set_acl_request>("SetACLRequest");
  one.template operator()<p::get_children_response>("GetChildrenResponse");
  one.template operator()<p::get_children2_response>("GetChildren2Response");
  one.template operator()<p::set_watches>("SetWatches");
  one.template operator()<p::set_watches2>("SetWatches2");
  one.template operator()<p::add_watch_request>("AddWatchRequest");
  one.template operator()<p::path_type_request>("RemoveWatchesRequest");
  one.template operator()<p::path_type_request>("CheckWatchesRequest");
  one.template operator()<p::watcher_event>("WatcherEvent");
  one.template operator()<p::error_response>("ErrorResponse");
  one.template operator()<p::get_ephemerals_request>("GetEphemeralsRequest");
  one.template operator()<p::get_ephemerals_response>("GetEphemeralsResponse");
  one.template operator()<p::get_all_children_number_response>("GetAllChildrenNumberResponse");
  one.template operator()<p::who_am_i_response>("WhoAmIResponse");
  one.template operator()<p::reconfig_request>("ReconfigRequest");
  one.template operator()<p::sasl_token>("SetSASLRequest");
  one.template operator()<p::sasl_token>("GetSASLRequest");
  one.template operator()<p::sasl_token>("SetSASLResponse");
  one.template operator()<p::multi_request>("MultiOperationRecord");
  one.template operator()<p::multi_response>("MultiResponse");
}

}  // namespace zkpp::test
