#include "zkpp/detail/server/txn_record.hpp"

#include <utility>

#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/server/data_tree.hpp"
#include "zkpp/detail/server/session_table.hpp"

namespace zkpp::detail::server {
namespace {

using change_variant = decltype(txn_op::change);

template <std::size_t... I>
void read_alternative(jute::reader& r, std::int32_t index, change_variant& v,
                      std::index_sequence<I...>) {
  const bool known =
      ((index == static_cast<std::int32_t>(I) ? (r.get(v.emplace<I>()), true) : false) || ...);
  if (!known) r.fail();
}

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
// Clang before 17 deduces no aggregate template arguments by itself.
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace

void txn_op::write_to(jute::writer& w) const {
  w.put(static_cast<std::int32_t>(change.index()));
  std::visit([&](const auto& c) { w.put(c); }, change);
}

void txn_op::read_from(jute::reader& r) {
  std::int32_t index = -1;
  r.get(index);
  if (!r.ok()) return;
  read_alternative(r, index, change,
                   std::make_index_sequence<std::variant_size_v<change_variant>>{});
}

bool applies_to(const txn_op& op, const data_tree& tree) {
  return std::visit(overloaded{
                        [&](const txn_create& c) {
                          return !c.path.empty() && !tree.find(c.path) &&
                                 tree.find(parent_path(c.path));
                        },
                        [&](const txn_delete& d) {
                          const auto n = tree.find(d.path);
                          return d.path != "/" && n && n->num_children == 0;
                        },
                        [&](const txn_set_data& s) { return tree.find(s.path).has_value(); },
                        [&](const txn_set_acl& s) { return tree.find(s.path).has_value(); },
                        [](const session_record&) { return true; },
                        [](const txn_close_session&) { return true; },
                    },
                    op.change);
}

void apply(txn_op op, std::int64_t zxid, std::int64_t time, std::int64_t steady_now,
           data_tree& tree, session_table& sessions) {
  std::visit(overloaded{
                 [&](txn_create& c) {
                   tree.create(c.path, std::move(c.data), std::move(c.acl), c.owner, zxid, time);
                 },
                 [&](txn_delete& d) { tree.remove(d.path, zxid); },
                 [&](txn_set_data& s) { tree.set_data(s.path, std::move(s.data), zxid, time); },
                 [&](txn_set_acl& s) { tree.set_acl(s.path, std::move(s.acl)); },
                 [&](session_record& s) {
                   sessions.restore(s.id, std::move(s.password), s.timeout_ms, steady_now);
                 },
                 [&](txn_close_session& c) { sessions.remove(c.id); },
             },
             op.change);
}

}  // namespace zkpp::detail::server
