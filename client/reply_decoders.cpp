#include "chroot.hpp"
#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/detail/typed_reply.hpp"
#include "zkpp/error.hpp"

namespace zkpp::detail {
namespace {

using proto::opcode;

// Decodes the reply record, or reports a malformed body as marshalling_error.
template <class Record>
Record read_body(std::string_view body, std::error_code& ec) {
  Record r{};
  if (!ec && !jute::decode(body, r)) ec = error::marshalling_error;
  return r;
}

op_result to_op_result(const proto::multi_result& r, std::string_view chroot) {
  op_result out;
  out.error = from_wire(r.err);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, proto::path_record>) {
          out.path = strip_chroot(body.path, chroot);
        } else if constexpr (std::is_same_v<T, proto::create2_response>) {
          out.path = strip_chroot(body.path, chroot);
          out.stat = body.stat;
        } else if constexpr (std::is_same_v<T, proto::stat_response>) {
          out.stat = body.stat;
        } else if constexpr (std::is_same_v<T, proto::get_data_response>) {
          out.data = body.data.value_or(std::string{});
          out.stat = body.stat;
        } else if constexpr (std::is_same_v<T, proto::get_children_response>) {
          out.children = body.children;
        } else if constexpr (std::is_same_v<T, proto::error_response>) {
          out.error = from_wire(body.err);
        }
      },
      r.response);
  return out;
}

}  // namespace

template <>
std::string decode_reply<std::string>(std::string_view body, std::error_code& ec,
                                      const reply_context& ctx) {
  return strip_chroot(read_body<proto::path_record>(body, ec).path, ctx.chroot);
}

template <>
create_result decode_reply<create_result>(std::string_view body, std::error_code& ec,
                                          const reply_context& ctx) {
  auto r = read_body<proto::create2_response>(body, ec);
  return {strip_chroot(std::move(r.path), ctx.chroot), r.stat};
}

template <>
std::optional<stat> decode_reply<std::optional<stat>>(std::string_view body, std::error_code& ec,
                                                      const reply_context&) {
  if (ec == error::no_node) {
    ec.clear();
    return std::nullopt;
  }
  auto r = read_body<proto::stat_response>(body, ec);
  if (ec) return std::nullopt;
  return r.stat;
}

template <>
data_result decode_reply<data_result>(std::string_view body, std::error_code& ec,
                                      const reply_context&) {
  auto r = read_body<proto::get_data_response>(body, ec);
  return {std::move(r.data).value_or(std::string{}), r.stat};
}

template <>
stat decode_reply<stat>(std::string_view body, std::error_code& ec, const reply_context&) {
  return read_body<proto::stat_response>(body, ec).stat;
}

// Child names (getChildren) or absolute paths (getEphemerals): same wire shape.
template <>
std::vector<std::string> decode_reply<std::vector<std::string>>(std::string_view body,
                                                                std::error_code& ec,
                                                                const reply_context& ctx) {
  auto names = read_body<proto::get_children_response>(body, ec).children;
  if (ctx.opcode == static_cast<std::int32_t>(opcode::get_ephemerals))
    for (auto& n : names) n = strip_chroot(std::move(n), ctx.chroot);
  return names;
}

template <>
children_result decode_reply<children_result>(std::string_view body, std::error_code& ec,
                                              const reply_context&) {
  auto r = read_body<proto::get_children2_response>(body, ec);
  return {std::move(r.children), r.stat};
}

template <>
acl_result decode_reply<acl_result>(std::string_view body, std::error_code& ec,
                                    const reply_context&) {
  auto r = read_body<proto::get_acl_response>(body, ec);
  return {std::move(r.acl), r.stat};
}

template <>
multi_result decode_reply<multi_result>(std::string_view body, std::error_code& ec,
                                        const reply_context& ctx) {
  auto r = read_body<proto::multi_response>(body, ec);
  multi_result out;
  out.reserve(r.results.size());
  for (const auto& res : r.results) out.push_back(to_op_result(res, ctx.chroot));
  // A failed transaction still has header err 0: its error is the failing op's.
  if (!ec && ctx.opcode == static_cast<std::int32_t>(opcode::multi)) {
    for (const auto& res : out) {
      if (res.error && res.error != error::runtime_inconsistency) {
        ec = res.error;
        break;
      }
    }
  }
  return out;
}

template <>
std::int32_t decode_reply<std::int32_t>(std::string_view body, std::error_code& ec,
                                        const reply_context&) {
  return read_body<proto::get_all_children_number_response>(body, ec).total_number;
}

template <>
std::vector<client_info> decode_reply<std::vector<client_info>>(std::string_view body,
                                                                std::error_code& ec,
                                                                const reply_context&) {
  return read_body<proto::who_am_i_response>(body, ec).client_info;
}

}  // namespace zkpp::detail
