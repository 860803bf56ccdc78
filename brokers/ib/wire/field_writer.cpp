#include "brokers/ib/wire/field_writer.h"

#include <fmt/format.h>

namespace td::ib::wire {

void FieldWriter::raw(std::string_view v) {
  if (error_) return;
  out_.append(v);
  out_.push_back('\0');
  ++index_;
}

void FieldWriter::integer(int64_t v) {
  raw(fmt::format("{}", v));
}

void FieldWriter::text(std::string_view name, std::string_view v) {
  if (!error_ && v.find('\0') != std::string_view::npos) {
    error_ = Error{ErrorCode::kInvalidArgument,
                   fmt::format("{}: field {} ({}) contains a NUL byte", message_, index_, name)};
    return;
  }
  raw(v);
}

void FieldWriter::opt_int32(std::string_view name, const std::optional<int32_t>& v) {
  v ? integer(*v) : raw("");
}

void FieldWriter::opt_int64(std::string_view name, const std::optional<int64_t>& v) {
  v ? integer(*v) : raw("");
}

void FieldWriter::opt_flag(std::string_view name, const std::optional<bool>& v) {
  v ? flag(name, *v) : raw("");
}

void FieldWriter::opt_decimal(std::string_view name, const std::optional<Decimal>& v) {
  v ? decimal(name, *v) : raw("");
}

void FieldWriter::unsupported(std::string_view what) {
  if (error_) return;
  error_ = Error{ErrorCode::kInvalidArgument,
                 fmt::format("{}: {} is not supported by this codec", message_, what)};
}

Result<std::string> FieldWriter::finish() && {
  if (error_) return tl::unexpected(std::move(*error_));
  return std::move(out_);
}

}  // namespace td::ib::wire
