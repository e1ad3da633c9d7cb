#include "output.hpp"

#include <iostream>
#include <sstream>

namespace zkpp::cli {

void output::print(const std::string& text, const nlohmann::json& doc) const {
  if (json_)
    // Znode data is bytes: invalid UTF-8 becomes U+FFFD instead of an exception.
    std::cout << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  else if (!text.empty())
    std::cout << text << std::endl;
}

void output::text(const std::string& text) const {
  if (!json_) std::cout << text << std::endl;
}

nlohmann::json stat_json(const stat& s) {
  nlohmann::json j = nlohmann::json::object();
  detail::jute::for_each_field<stat>([&](auto f) { j[f.name] = s.*(f.member); });
  return j;
}

std::string stat_text(const stat& s) {
  std::ostringstream out;
  const auto hex = [](std::int64_t v) {
    std::ostringstream h;
    h << "0x" << std::hex << v;
    return h.str();
  };
  out << "cZxid = " << hex(s.czxid) << "\nctime = " << s.ctime << "\nmZxid = " << hex(s.mzxid)
      << "\nmtime = " << s.mtime << "\npZxid = " << hex(s.pzxid) << "\ncversion = " << s.cversion
      << "\ndataVersion = " << s.version << "\naclVersion = " << s.aversion
      << "\nephemeralOwner = " << hex(s.ephemeral_owner) << "\ndataLength = " << s.data_length
      << "\nnumChildren = " << s.num_children;
  return out.str();
}

nlohmann::json event_json(const watch_event& e) {
  return {{"type", to_string(e.type)}, {"path", e.path}};
}

std::string event_text(const watch_event& e) {
  return std::string(to_string(e.type)) + " " + e.path;
}

}  // namespace zkpp::cli
