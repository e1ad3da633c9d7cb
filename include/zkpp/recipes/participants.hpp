#pragma once

#include <string>
#include <vector>

namespace zkpp::recipes {

// Who takes part in an election, by their participant ids.
struct participants_view {
  std::string leader{};            // the leader's id; empty when nobody takes part
  std::vector<std::string> ids{};  // every participant, in election order
};

}  // namespace zkpp::recipes
