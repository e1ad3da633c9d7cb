// zkpp-codec-bench: encode and decode cost of the records on the hot paths of
// a client and a server (Google Benchmark).

#include <benchmark/benchmark.h>

#include <string>

#include "zkpp/detail/jute/reader.hpp"
#include "zkpp/detail/jute/writer.hpp"
#include "zkpp/detail/proto/opcode.hpp"
#include "zkpp/detail/proto/records.hpp"

namespace {

namespace jute = zkpp::detail::jute;
namespace proto = zkpp::detail::proto;
using proto::opcode;

constexpr std::int32_t op(opcode o) {
  return static_cast<std::int32_t>(o);
}

zkpp::stat sample_stat(std::int32_t data_length) {
  return {.czxid = 0x1000000a1,
          .mzxid = 0x1000000f3,
          .ctime = 1700000000123,
          .mtime = 1700000004567,
          .version = 42,
          .cversion = 3,
          .aversion = 0,
          .ephemeral_owner = 0,
          .data_length = data_length,
          .num_children = 0,
          .pzxid = 0x1000000a1};
}

const std::string node_path = "/zkbench-bench-12345/data";

proto::request_header request_header() {
  return {.xid = 4711, .type = op(opcode::get_data)};
}
proto::reply_header reply_header() {
  return {.xid = 4711, .zxid = 0x1000000f3, .err = 0};
}
proto::get_data_request get_data_request() {
  return {.path = node_path, .watch = false};
}
proto::get_data_response get_data_response(std::size_t size) {
  return {.data = std::string(size, 'x'), .stat = sample_stat(static_cast<std::int32_t>(size))};
}
proto::create_request create_request() {
  return {.path = "/zkbench-bench-12345/c-",
          .data = std::string(100, 'x'),
          .acl = zkpp::acls::open_unsafe(),
          .flags = static_cast<std::int32_t>(zkpp::create_mode::persistent_sequential)};
}
proto::watcher_event watcher_event() {
  return {.type = 3, .state = 3, .path = node_path};
}

// create + setData + delete, the shape of a typical transaction.
proto::multi_request multi_request() {
  proto::multi_request m;
  m.ops.push_back({op(opcode::create), create_request()});
  m.ops.push_back({op(opcode::set_data),
                   proto::set_data_request{.path = node_path, .data = "value", .version = 41}});
  m.ops.push_back(
      {op(opcode::remove), proto::path_version_request{.path = node_path + "-old", .version = -1}});
  return m;
}
proto::multi_response multi_response() {
  proto::multi_response m;
  m.results.push_back({op(opcode::create), 0, proto::path_record{"/zkbench-bench-12345/c-0000"}});
  m.results.push_back({op(opcode::set_data), 0, proto::stat_response{sample_stat(5)}});
  m.results.push_back({op(opcode::remove), 0, std::monostate{}});
  return m;
}

// Appends into a buffer whose capacity is kept, as a connection's output
// buffer is reused between requests.
// The compiler must not see the input as constant, or it would fold the work.
template <class T>
void encode(benchmark::State& state, T value) {
  std::string out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(value);
    out.clear();
    jute::writer w{out};
    w.put(value);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(out.size()));
}

// Decodes into a fresh record each time, as the client does per reply.
template <class T>
void decode(benchmark::State& state, const T& value) {
  std::string bytes = jute::encode(value);
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes);
    T out;
    const bool ok = jute::decode(bytes, out);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes.size()));
}

void BM_encode_request_header(benchmark::State& s) {
  encode(s, request_header());
}
void BM_decode_request_header(benchmark::State& s) {
  decode(s, request_header());
}
void BM_encode_reply_header(benchmark::State& s) {
  encode(s, reply_header());
}
void BM_decode_reply_header(benchmark::State& s) {
  decode(s, reply_header());
}
void BM_encode_get_data_request(benchmark::State& s) {
  encode(s, get_data_request());
}
void BM_decode_get_data_request(benchmark::State& s) {
  decode(s, get_data_request());
}
void BM_encode_get_data_response(benchmark::State& s) {
  encode(s, get_data_response(static_cast<std::size_t>(s.range(0))));
}
void BM_decode_get_data_response(benchmark::State& s) {
  decode(s, get_data_response(static_cast<std::size_t>(s.range(0))));
}
void BM_encode_create_request(benchmark::State& s) {
  encode(s, create_request());
}
void BM_decode_create_request(benchmark::State& s) {
  decode(s, create_request());
}
void BM_encode_watcher_event(benchmark::State& s) {
  encode(s, watcher_event());
}
void BM_decode_watcher_event(benchmark::State& s) {
  decode(s, watcher_event());
}
void BM_encode_multi_request(benchmark::State& s) {
  encode(s, multi_request());
}
void BM_decode_multi_request(benchmark::State& s) {
  decode(s, multi_request());
}
void BM_encode_multi_response(benchmark::State& s) {
  encode(s, multi_response());
}
void BM_decode_multi_response(benchmark::State& s) {
  decode(s, multi_response());
}

BENCHMARK(BM_encode_request_header);
BENCHMARK(BM_decode_request_header);
BENCHMARK(BM_encode_reply_header);
BENCHMARK(BM_decode_reply_header);
BENCHMARK(BM_encode_get_data_request);
BENCHMARK(BM_decode_get_data_request);
BENCHMARK(BM_encode_get_data_response)->Arg(100)->Arg(10240);
BENCHMARK(BM_decode_get_data_response)->Arg(100)->Arg(10240);
BENCHMARK(BM_encode_create_request);
BENCHMARK(BM_decode_create_request);
BENCHMARK(BM_encode_watcher_event);
BENCHMARK(BM_decode_watcher_event);
BENCHMARK(BM_encode_multi_request);
BENCHMARK(BM_decode_multi_request);
BENCHMARK(BM_encode_multi_response);
BENCHMARK(BM_decode_multi_response);

}  // namespace

BENCHMARK_MAIN();
