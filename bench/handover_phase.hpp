#pragma once

#include <memory>
#include <string>
#include <vector>

#include "load_options.hpp"
#include "zkpp/client.hpp"

namespace zkpp::bench {

// `clients.size()` (at least 2) leader_latch participants on `election_path`,
// one session each. Each cycle the leader closes its latch and rejoins; the
// latency is the time from close() until the next leader is told.
phase_result run_handover_phase(std::vector<std::unique_ptr<client>>& clients,
                                const std::string& election_path, std::int64_t cycles,
                                double time_limit_s);

}  // namespace zkpp::bench
