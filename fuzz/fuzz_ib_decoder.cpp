// libFuzzer target: the IB wire codec (brokers/ib/wire, docs/ib.md) on
// bytes from a hostile or broken peer. Byte 0 picks the path (modulo 4),
// byte 1 the negotiated server version (176 + byte % 3) and the sizes of the
// reads the stream is cut into; the rest is the stream.
//   0: server -> daemon: FrameReader, then decode() of every frame
//   1: daemon -> simulator: FrameReader, then decode_outgoing()
//   2: the simulator's handshake: parse_client_hello(), then path 1 on the
//      bytes after the hello
//   3: the daemon's handshake: parse_server_hello() and parse_version_range()
//
// Checked beyond "no crash, no ASan/UBSan report, no leak":
// - every error is kInvalidArgument with a message;
// - a decoded message encodes again, and those bytes decode to the same
//   message (the field lists agree in both directions on any input);
// - FrameReader never returns a frame over its maximum, and once it fails
//   it keeps failing; a parsed hello consumes no more than it was given.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "brokers/ib/wire/codec.h"
#include "brokers/ib/wire/frame_reader.h"
#include "brokers/ib/wire/handshake.h"

namespace {

using namespace td::ib::wire;

void check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "fuzz_ib_decoder: property violated: %s\n", what);
    abort();
  }
}

void check_error(const td::Error& e) {
  check(e.code == td::ErrorCode::kInvalidArgument, "errors are kInvalidArgument");
  check(!e.message.empty(), "errors have a message");
}

// Decode, and if that works, encode and decode again to the same message.
template <class Decode, class Encode>
void decode_frame(std::string_view payload, int version, Decode decode, Encode encode) {
  auto m = decode(payload, version);
  if (!m) return check_error(m.error());
  auto bytes = encode(*m, version);
  check(bytes.has_value(), "a decoded message encodes");
  check(bytes->size() >= 4, "an encoded frame has its length");
  auto again = decode(std::string_view(*bytes).substr(4), version);
  check(again.has_value(), "an encoded message decodes");
  check(*again == *m, "decode(encode(decode(x))) == decode(x)");
}

constexpr size_t kMaxFrame = 4096;  // small, so that oversized lengths are reached

// Feeds `stream` in reads of 1..16 bytes and decodes every frame.
template <class Decode, class Encode>
void frames(std::string_view stream, int version, unsigned cut, Decode decode, Encode encode) {
  FrameReader reader(kMaxFrame);
  const size_t step = 1 + cut % 16;
  for (size_t at = 0; at < stream.size(); at += step) {
    reader.feed(stream.substr(at, step));
    while (true) {
      auto f = reader.next();
      if (!f) {
        check_error(f.error());
        check(reader.failed() && !reader.next().has_value(), "a failed reader stays failed");
        return;
      }
      if (!*f) break;
      check((*f)->size() <= kMaxFrame, "no frame over the maximum");
      decode_frame(**f, version, decode, encode);
    }
  }
}

void to_daemon(std::string_view stream, int version, unsigned cut) {
  frames(
      stream, version, cut, [](std::string_view p, int v) { return decode(p, v); },
      [](const td::ib::IncomingMessage& m, int v) { return encode_incoming(m, v); });
}

void to_simulator(std::string_view stream, int version, unsigned cut) {
  frames(
      stream, version, cut, [](std::string_view p, int v) { return decode_outgoing(p, v); },
      [](const td::ib::OutgoingMessage& m, int v) { return encode(m, v); });
}

void client_hello(std::string_view stream, int version, unsigned cut) {
  auto hello = parse_client_hello(stream, kMaxFrame);
  if (!hello) return check_error(hello.error());
  if (!*hello) return;
  check((*hello)->consumed <= stream.size(), "a hello consumes what it was given");
  auto negotiated = negotiate_version((*hello)->range);
  if (!negotiated) check_error(negotiated.error());
  to_simulator(stream.substr((*hello)->consumed), version, cut);
}

void server_hello(std::string_view bytes) {
  auto hello = parse_server_hello(bytes);
  if (!hello) check_error(hello.error());
  if (hello && *hello) {
    auto framed = encode_server_hello(**hello);
    check(framed.has_value(), "a parsed server hello encodes");
    auto again = parse_server_hello(std::string_view(*framed).substr(4));
    check(again && *again && **again == **hello, "server hello round trip");
  }
  auto range = parse_version_range(bytes);
  if (!range) return check_error(range.error());
  check(range->min_version <= range->max_version, "a parsed range is ordered");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int version = 176 + data[1] % 3;
  const unsigned cut = data[1] / 3;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  switch (data[0] % 4) {
    case 0:
      to_daemon(rest, version, cut);
      break;
    case 1:
      to_simulator(rest, version, cut);
      break;
    case 2:
      client_hello(rest, version, cut);
      break;
    case 3:
      server_hello(rest);
      break;
  }
  return 0;
}
