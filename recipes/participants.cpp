#include "zkpp/recipes/detail/participants.hpp"

#include "zkpp/recipes/detail/node_names.hpp"

namespace zkpp::recipes::detail {

participants_view read_participants(client& zk, const std::string& dir, const std::string& recipe) {
  participants_view view;
  std::error_code ec;
  auto children = zk.get_children(dir, {}, ec);
  if (ec == error::no_node) return view;
  if (ec) throw std::system_error(ec, recipe + " " + dir);
  for (const auto& name : order_by_sequence(children)) {
    auto data = zk.get_data(dir + "/" + name, {}, ec);
    if (ec == error::no_node) continue;  // left meanwhile
    if (ec) throw std::system_error(ec, recipe + " " + dir);
    view.ids.push_back(std::move(data.data));
  }
  if (!view.ids.empty()) view.leader = view.ids.front();
  return view;
}

}  // namespace zkpp::recipes::detail
