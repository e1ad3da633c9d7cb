#pragma once

#include <memory>
#include <string>
#include <vector>

#include "load_options.hpp"
#include "zkpp/client.hpp"

namespace zkpp::bench {

// `clients.size()` contenders, one session and one thread each, each taking
// and releasing a zkpp::recipes::mutex on `lock_path` `cycles` times. The
// latencies are those of the acquisitions; ops counts acquisitions.
phase_result run_lock_phase(std::vector<std::unique_ptr<client>>& clients,
                            const std::string& lock_path, std::int64_t cycles, double time_limit_s);

}  // namespace zkpp::bench
