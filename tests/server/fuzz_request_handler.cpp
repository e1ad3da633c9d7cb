// libFuzzer target: arbitrary bytes into the server's sans-io request path.
// The input is cut into frames (2-byte big-endian lengths); each frame goes
// to one of two connections (low bit of its first byte), after a valid
// handshake unless the input's first byte says otherwise, with timer ticks
// in between. The handler must never crash, over-read or leak.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/records.hpp"
#include "zkpp/detail/server/request_handler.hpp"

namespace {

using namespace zkpp::detail;

struct null_sink final : server::output_sink {
  void send(server::connection_id, std::string) override {}
  void close(server::connection_id) override {}
};

std::string connect_payload() {
  auto out = jute::encode(proto::connect_request{0, 0, 30000, 0, std::string(16, '\0')});
  out.push_back('\0');
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in{reinterpret_cast<const char*>(data), size};
  if (in.empty()) return 0;
  null_sink sink;
  std::int64_t now = 1'000'000;
  server::request_handler handler{{.extended_types_enabled = true, .four_letter_whitelist = {"*"}},
                                  sink,
                                  server::server_clock{[&] { return now; }, [&] { return now; }}};
  const bool handshake = (in.front() & 1) == 0;
  in.remove_prefix(1);
  for (server::connection_id c : {1, 2}) {
    handler.connection_opened(c, "127.0.0.1", 2181);
    if (handshake) handler.frame_received(c, connect_payload());
  }
  while (in.size() >= 2) {
    const auto length = std::size_t(std::uint8_t(in[0])) << 8 | std::uint8_t(in[1]);
    in.remove_prefix(2);
    const auto frame = in.substr(0, length);
    in.remove_prefix(frame.size());
    const server::connection_id target = frame.empty() ? 1 : 1 + (std::uint8_t(frame[0]) & 1);
    handler.frame_received(target, frame);
    now += 700;
    handler.expire_due();
    handler.reap();
  }
  handler.four_letter_word(1, 0x64756d70);  // dump
  handler.four_letter_word(2, 0x636f6e73);  // cons
  handler.connection_closed(1);
  handler.connection_closed(2);
  return 0;
}
