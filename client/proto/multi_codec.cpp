#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/records.hpp"

namespace zkpp::detail::proto {
namespace {

constexpr multi_header done_header{static_cast<std::int32_t>(opcode::error), true, -1};

template <class Variant, class T>
bool read_as(jute::reader& r, Variant& v) {
  r.get(v.template emplace<T>());
  return true;
}

bool read_op_request(jute::reader& r, std::int32_t type, multi_op::request_variant& v) {
  switch (static_cast<opcode>(type)) {
    case opcode::create:
    case opcode::create2:
    case opcode::create_container:
      return read_as<multi_op::request_variant, create_request>(r, v);
    case opcode::create_ttl:
      return read_as<multi_op::request_variant, create_ttl_request>(r, v);
    case opcode::remove:
    case opcode::check:
      return read_as<multi_op::request_variant, path_version_request>(r, v);
    case opcode::set_data:
      return read_as<multi_op::request_variant, set_data_request>(r, v);
    case opcode::get_data:
    case opcode::get_children:
      return read_as<multi_op::request_variant, path_watch_request>(r, v);
    default:
      return false;
  }
}

bool read_result_body(jute::reader& r, std::int32_t type, multi_result::response_variant& v) {
  using V = multi_result::response_variant;
  switch (static_cast<opcode>(type)) {
    case opcode::create:
      return read_as<V, path_record>(r, v);
    case opcode::create2:
      return read_as<V, create2_response>(r, v);
    case opcode::remove:
    case opcode::check:
      v = std::monostate{};
      return true;
    case opcode::set_data:
      return read_as<V, stat_response>(r, v);
    case opcode::get_data:
      return read_as<V, get_data_response>(r, v);
    case opcode::get_children:
      return read_as<V, get_children_response>(r, v);
    case opcode::error:
      return read_as<V, error_response>(r, v);
    default:
      return false;
  }
}

// Reads headers until the terminator; `read_one` consumes the body after each
// non-terminal header and returns false when the type is not allowed.
template <class Element, class ReadOne>
void read_sequence(jute::reader& r, std::vector<Element>& out, ReadOne read_one) {
  out.clear();
  for (;;) {
    multi_header h;
    r.get(h);
    // Every element consumes at least its 9-byte header, so the loop ends
    // with the input: no separate bound is needed.
    if (!r.ok() || h.done) return;
    if (!read_one(h, out.emplace_back())) return r.fail();
  }
}

}  // namespace

void multi_request::write_to(jute::writer& w) const {
  for (const auto& op : ops) {
    w.put(multi_header{op.type, false, -1});
    std::visit([&](const auto& req) { w.put(req); }, op.request);
  }
  w.put(done_header);
}

void multi_request::read_from(jute::reader& r) {
  read_sequence(r, ops, [&](const multi_header& h, multi_op& op) {
    op.type = h.type;
    return read_op_request(r, h.type, op.request);
  });
}

void multi_response::write_to(jute::writer& w) const {
  for (const auto& res : results) {
    w.put(multi_header{res.type, false, res.err});
    std::visit(
        [&](const auto& body) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(body)>, std::monostate>) w.put(body);
        },
        res.response);
  }
  w.put(done_header);
}

void multi_response::read_from(jute::reader& r) {
  read_sequence(r, results, [&](const multi_header& h, multi_result& res) {
    res.type = h.type;
    res.err = h.err;
    return read_result_body(r, h.type, res.response);
  });
}

}  // namespace zkpp::detail::proto
