// zkpp-loopback-bench: the most getData replies per second that this
// machine's loopback TCP can carry, with no ZooKeeper work at all. One thread
// writes frames the size of a getData reply holding --size bytes of data
// over one loopback connection, as many per gather write as fit in 64 KiB
// (at most 64, the most asio passes to one sendmsg), the way a server
// answering a pipelined client batches them; another thread reads them. A
// server answering pipelined gets of that size cannot go much faster than
// this on the same machine, so bench/compare.sh reports it beside the
// servers' figures.
//   zkpp-loopback-bench [--size BYTES] [--seconds S]
// prints RESULT kind=loopback size=B frame_bytes=F frames=N secs=T frames_per_s=R gb_per_s=G

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/records.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

// A whole reply frame: length prefix, reply header, getData response.
std::string get_data_reply_frame(std::size_t size) {
  namespace proto = zkpp::detail::proto;
  auto body = zkpp::detail::jute::encode(proto::reply_header{1, 1, 0}) +
              zkpp::detail::jute::encode(proto::get_data_response{std::string(size, 'x'), {}});
  const auto n = static_cast<std::uint32_t>(body.size());
  std::string frame{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                    static_cast<char>(n >> 8), static_cast<char>(n)};
  return frame + body;
}

int usage() {
  std::fprintf(stderr, "usage: zkpp-loopback-bench [--size BYTES] [--seconds S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long size = 10240;
  double seconds = 3;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return usage();
    char* end = nullptr;
    if (flag == "--size")
      size = std::strtol(argv[i + 1], &end, 10);
    else if (flag == "--seconds")
      seconds = std::strtod(argv[i + 1], &end);
    else
      return usage();
    if (end == argv[i + 1] || *end != '\0') return usage();
  }
  if (size < 0 || size > (1 << 24) || !(seconds > 0 && seconds <= 60)) return usage();

  try {
    using asio::ip::tcp;
    asio::io_context io;
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket writer(io), reader(io);
    writer.connect(acceptor.local_endpoint());
    acceptor.accept(reader);
    writer.set_option(tcp::no_delay(true));

    const auto frame = get_data_reply_frame(static_cast<std::size_t>(size));
    const auto start = clock_type::now();
    const auto stop_at = start + std::chrono::duration<double>(seconds);
    std::atomic<std::int64_t> written{0};
    const auto batch = std::clamp<std::size_t>(64 * 1024 / frame.size(), 1, 64);
    const std::vector<asio::const_buffer> batch_buffers(batch, asio::buffer(frame));
    std::thread sender([&] {
      std::int64_t n = 0;
      while (clock_type::now() < stop_at) {
        asio::write(writer, batch_buffers);
        n += static_cast<std::int64_t>(batch);
        written.store(n, std::memory_order_relaxed);
      }
      writer.shutdown(tcp::socket::shutdown_send);
    });
    std::vector<char> buf(64 * 1024);
    std::int64_t received = 0;
    std::error_code ec;
    while (!ec) received += static_cast<std::int64_t>(reader.read_some(asio::buffer(buf), ec));
    sender.join();
    if (ec != asio::error::eof) throw std::system_error(ec, "read");
    const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
    const auto frames = received / static_cast<std::int64_t>(frame.size());
    if (frames != written.load()) {
      std::fprintf(stderr, "zkpp-loopback-bench: wrote %lld frames, read %lld\n",
                   static_cast<long long>(written.load()), static_cast<long long>(frames));
      return 1;
    }
    std::printf(
        "RESULT kind=loopback size=%ld frame_bytes=%zu frames=%lld secs=%.3f frames_per_s=%.0f "
        "gb_per_s=%.2f\n",
        size, frame.size(), static_cast<long long>(frames), secs, frames / secs,
        static_cast<double>(received) / secs / 1e9);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkpp-loopback-bench: %s\n", e.what());
    return 1;
  }
}
