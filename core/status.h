#pragma once
// Results across module boundaries (LevelDB's Status, as tl::expected): a
// caller sees in the signature that a call can fail and must look at why.
#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace td {

enum class ErrorCode {
  kInvalidArgument,  // bad input from outside (API body, config, broker message)
  kNotFound,
  kIllegalTransition,  // order state machine refused a change
  kConflict,           // e.g. client_order_id reused with another body
  kRejected,           // risk or broker refused
  kUnavailable,        // broker/store not reachable now
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> make_error(ErrorCode code, std::string message) {
  return tl::unexpected(Error{code, std::move(message)});
}

}  // namespace td
