#pragma once
// Messages to bytes and back, for both ends of the connection. Why four
// functions: the daemon encodes requests and decodes what the server sends;
// the gateway simulator does the opposite, with the same field lists, so the
// two can never disagree (field_list.h). "Outgoing" and "incoming" are always
// the daemon's point of view.
//
// Every function takes the negotiated server version (176-178, else
// kInvalidArgument) and never throws. Encoders return a whole frame (length
// prefix + payload); decoders take one frame's payload (FrameReader::next).
// Decoding: an unknown message id is an UnknownMessage, not an error; fields
// after the last one a layout reads are ignored (fact sheet 1.2); anything
// else wrong (a missing field, a non-number where a number is required, an
// unset required value, a group the codec does not implement) is
// kInvalidArgument naming the message, the field's position and its name.
#include <string>
#include <string_view>

#include "brokers/ib/incoming_message.h"
#include "brokers/ib/outgoing_message.h"
#include "core/status.h"

namespace td::ib::wire {

// Daemon side.
Result<std::string> encode(const OutgoingMessage& message, int server_version);
Result<IncomingMessage> decode(std::string_view payload, int server_version);

// Simulator side.
Result<std::string> encode_incoming(const IncomingMessage& message, int server_version);
Result<OutgoingMessage> decode_outgoing(std::string_view payload, int server_version);

// The message's name as in errors ("placeOrder"; "unknown" for UnknownMessage).
std::string_view message_name(const OutgoingMessage& message);
std::string_view message_name(const IncomingMessage& message);

}  // namespace td::ib::wire
