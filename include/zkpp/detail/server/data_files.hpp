#pragma once

// The files in a durable server's data directory: transaction logs named
// "log.<first zxid>" and snapshots named "snapshot.<last zxid>", zxids in 16
// hex digits (so that names sort as zxids do).

#include <cstdint>
#include <filesystem>
#include <vector>

namespace zkpp::detail::server {

enum class data_file_kind { log, snapshot };

struct data_file {
  std::filesystem::path path;
  std::int64_t zxid = 0;
};

std::filesystem::path data_file_path(const std::filesystem::path& dir, data_file_kind kind,
                                     std::int64_t zxid);
// The files of that kind in `dir`, by ascending zxid; other names are ignored.
std::vector<data_file> list_data_files(const std::filesystem::path& dir, data_file_kind kind);

}  // namespace zkpp::detail::server
