#pragma once

#include <string>

#include "zkpp/client.hpp"
#include "zkpp/recipes/participants.hpp"

namespace zkpp::recipes::detail {

// Reads the participants of the election at `dir`: the contenders ordered by
// sequence, each one's id from its node's data, the first one leading, as
// Curator's getParticipants does. Synchronous; throws std::system_error
// naming `recipe`.
participants_view read_participants(client& zk, const std::string& dir, const std::string& recipe);

}  // namespace zkpp::recipes::detail
