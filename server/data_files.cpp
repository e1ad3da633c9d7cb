#include "zkpp/detail/server/data_files.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

namespace zkpp::detail::server {
namespace {

constexpr std::size_t zxid_digits = 16;

std::string_view prefix(data_file_kind kind) {
  return kind == data_file_kind::log ? "log." : "snapshot.";
}

}  // namespace

std::filesystem::path data_file_path(const std::filesystem::path& dir, data_file_kind kind,
                                     std::int64_t zxid) {
  char digits[zxid_digits + 1];
  std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(zxid));
  return dir / (std::string{prefix(kind)} + digits);
}

std::vector<data_file> list_data_files(const std::filesystem::path& dir, data_file_kind kind) {
  std::vector<data_file> out;
  for (const auto& entry : std::filesystem::directory_iterator{dir}) {
    const auto name = entry.path().filename().string();
    const std::string_view view{name};
    if (!view.starts_with(prefix(kind)) || view.size() != prefix(kind).size() + zxid_digits)
      continue;
    const auto digits = view.substr(prefix(kind).size());
    std::uint64_t zxid = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), zxid, 16);
    if (ec != std::errc{} || end != digits.data() + digits.size()) continue;
    out.push_back({entry.path(), static_cast<std::int64_t>(zxid)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.zxid < b.zxid; });
  return out;
}

}  // namespace zkpp::detail::server
