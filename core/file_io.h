#pragma once
// Small state files (risk state, the admin token's hash) must survive a
// crash at any instant: written to PATH.tmp, fsync'ed, renamed over PATH,
// and the directory fsync'ed, so a reader sees the old file or the new one,
// never a torn one. One implementation for every such file.
#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace td {

// Replaces `path` with `contents` atomically, file mode `mode` (0600 by default).
Status write_file_atomically(const std::string& path, std::string_view contents,
                             mode_t mode = 0600);
// The whole file; nullopt when it does not exist; an error past `max_bytes`.
Result<std::optional<std::string>> read_small_file(const std::string& path, size_t max_bytes);

}  // namespace td
