#pragma once
// Peer bytes quoted in error messages. Why: broker input may be binary
// garbage; an error must name what was wrong without copying megabytes or
// control bytes into a log line.
#include <string>
#include <string_view>

namespace td::ib::wire {

// At most 40 bytes, non-printable ones (and '\') as \xNN, "..." when cut.
std::string printable(std::string_view bytes);

}  // namespace td::ib::wire
