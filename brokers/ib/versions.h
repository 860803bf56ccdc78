#pragma once
// The server versions this codec speaks (docs/ib.md, "Versions"). Why a
// narrow range: every field list in the codec is exact for 176-178 only, and
// 178 is the most battle-tested text layout (ib_async's maximum); from 201 on
// the protocol switches to binary ids and protobuf. Advertising ..178 makes
// any TWS/IB Gateway from 10.30 on negotiate 178, so an older server is the
// only way to land below the range, and it is refused with a clear error
// rather than misparsed. Raising the maximum later is additive: every layout
// difference is gated on version() in the field lists.
#include "core/status.h"

namespace td::ib {

// What the client advertises in its handshake: "v100..178".
inline constexpr int kAdvertisedMinVersion = 100;
inline constexpr int kAdvertisedMaxVersion = 178;

// What the codec accepts as the negotiated server version.
inline constexpr int kMinServerVersion = 176;
inline constexpr int kMaxServerVersion = 178;

// The two gates inside the range (fact sheet 1.7).
inline constexpr int kVersionFaProfileRemoved = 177;      // placeOrder, openOrder
inline constexpr int kVersionPendingPriceRevision = 178;  // execDetails

// kInvalidArgument unless kMinServerVersion <= v <= kMaxServerVersion.
Status check_server_version(int v);

}  // namespace td::ib
