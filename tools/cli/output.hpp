#pragma once

// What commands print: plain text for people, or with --json one JSON
// document per line on stdout. Errors go to stderr as text either way.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "zkpp/types.hpp"

namespace zkpp::cli {

class output {
 public:
  explicit output(bool json) : json_(json) {}
  bool json() const noexcept { return json_; }

  // Prints `text` (plus a newline; nothing when empty) in text mode, or `doc`
  // in JSON mode; flushed at once, as watch output is read while it runs.
  void print(const std::string& text, const nlohmann::json& doc) const;
  // Text mode only (JSON mode prints nothing).
  void text(const std::string& text) const;

 private:
  bool json_;
};

// The stat with ZooKeeper's field names.
nlohmann::json stat_json(const stat& s);
// zkCli's layout: "cZxid = 0x...", one field per line.
std::string stat_text(const stat& s);

nlohmann::json event_json(const watch_event& e);
// "node_data_changed /path"
std::string event_text(const watch_event& e);

}  // namespace zkpp::cli
