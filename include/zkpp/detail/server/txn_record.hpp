#pragma once

// The transactions of a durable server, as its log stores them: each one is
// what a zxid changed (nodes and sessions), recorded as it was applied, so
// that replaying a record repeats exactly that change.

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "zkpp/detail/jute/field.hpp"
#include "zkpp/types.hpp"

namespace zkpp::detail::jute {
class writer;
class reader;
}  // namespace zkpp::detail::jute

namespace zkpp::detail::server {

class data_tree;
class session_table;

using jute::field;

struct txn_create {
  std::string path;
  std::optional<std::string> data;
  acl_list acl;
  std::int64_t owner = 0;  // raw ephemeralOwner
  static constexpr auto fields() {
    return std::tuple{field{"path", &txn_create::path}, field{"data", &txn_create::data},
                      field{"acl", &txn_create::acl}, field{"owner", &txn_create::owner}};
  }
};

struct txn_delete {
  std::string path;
  static constexpr auto fields() { return std::tuple{field{"path", &txn_delete::path}}; }
};

struct txn_set_data {
  std::string path;
  std::optional<std::string> data;
  static constexpr auto fields() {
    return std::tuple{field{"path", &txn_set_data::path}, field{"data", &txn_set_data::data}};
  }
};

struct txn_set_acl {
  std::string path;
  acl_list acl;
  static constexpr auto fields() {
    return std::tuple{field{"path", &txn_set_acl::path}, field{"acl", &txn_set_acl::acl}};
  }
};

// A session as the log and the snapshots keep it (its expiry is not kept:
// a restored session gets a fresh timeout).
struct session_record {
  std::int64_t id = 0;
  std::int32_t timeout_ms = 0;
  std::string password;
  static constexpr auto fields() {
    return std::tuple{field{"id", &session_record::id},
                      field{"timeout", &session_record::timeout_ms},
                      field{"passwd", &session_record::password}};
  }
};

struct txn_close_session {
  std::int64_t id = 0;
  static constexpr auto fields() { return std::tuple{field{"id", &txn_close_session::id}}; }
};

// One change; on disk, its index in the variant and then its fields.
struct txn_op {
  std::variant<txn_create, txn_delete, txn_set_data, txn_set_acl, session_record, txn_close_session>
      change;
  void write_to(jute::writer& w) const;
  void read_from(jute::reader& r);
};

// One zxid. A write that failed still took its zxid, so it is a record
// without changes: the zxid a restarted server resumes from is the last one
// any client may have seen.
struct txn {
  std::int64_t zxid = 0;
  std::int64_t time = 0;  // wall-clock ms: the ctime / mtime it set
  std::vector<txn_op> ops;
  static constexpr auto fields() {
    return std::tuple{field{"zxid", &txn::zxid}, field{"time", &txn::time},
                      field{"ops", &txn::ops}};
  }
};

// Whether `op` can be applied to `tree` (a log that passed its checksums
// may still not fit the snapshot it is replayed on).
bool applies_to(const txn_op& op, const data_tree& tree);

// Applies one change of transaction (zxid, time); a restored session's
// timeout starts counting at `steady_now`.
void apply(txn_op op, std::int64_t zxid, std::int64_t time, std::int64_t steady_now,
           data_tree& tree, session_table& sessions);

// Where a durable server's transactions go: the handler calls it with each
// transaction once applied, before anything that transaction causes is sent.
class txn_sink {
 public:
  // Fills a fresh tree and session table with the stored state; returns its
  // last zxid.
  virtual std::int64_t recover(data_tree& tree, session_table& sessions,
                               std::int64_t steady_now) = 0;
  virtual void committed(const txn& t, const data_tree& tree, const session_table& sessions) = 0;

 protected:
  ~txn_sink() = default;
};

}  // namespace zkpp::detail::server
