#pragma once
// The control API described as OpenAPI 3.1 (api/openapi/openapi.json), which
// the daemon serves at GET /api/v1/openapi.json (api-v1.md).
//
// The JSON file is the source; CMake copies its bytes into a generated .cpp
// as a char array at build time (embed_file.cmake), so the served document
// is always the one in the tree, and no raw string literal length limit
// applies. Tests check it against route_table() and the OAS 3.1 schema.
#include <string_view>

namespace td::api {

// The document's exact bytes (UTF-8 JSON, no terminating NUL counted).
std::string_view openapi_json();

}  // namespace td::api
