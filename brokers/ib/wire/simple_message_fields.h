#pragma once
// The field lists of the simple messages (simple_message.h; see
// field_list.h). A request's version is expect(): a simulator refuses another
// one instead of misreading the fields after it. A server message's version
// is ignore(): IB's own clients read and discard it.
#include <type_traits>

#include "brokers/ib/simple_message.h"
#include "brokers/ib/wire/field_list.h"

namespace td::ib::wire {

template <class T>
struct IsIdOnlyMessage : std::false_type {};
template <Direction D, int Id, Literal Name, Literal Version>
struct IsIdOnlyMessage<IdOnlyMessage<D, Id, Name, Version>> : std::true_type {};

template <class T>
struct IsReqIdMessage : std::false_type {};
template <Direction D, int Id, Literal Name, Literal Version>
struct IsReqIdMessage<ReqIdMessage<D, Id, Name, Version>> : std::true_type {};

template <class M>
concept IdOnly = IsIdOnlyMessage<std::remove_const_t<M>>::value;
template <class M>
concept ReqIdOnly = IsReqIdMessage<std::remove_const_t<M>>::value;

template <class M, class Io>
void version_field(Io& io) {
  if constexpr (M::kDirection == Direction::kOutgoing)
    io.expect("version", M::kVersion);
  else
    io.ignore("version", M::kVersion);
}

template <class Io, IdOnly M>
void fields(Io& io, M& m) {
  version_field<M>(io);
}

template <class Io, ReqIdOnly M>
void fields(Io& io, M& m) {
  version_field<M>(io);
  io.int64("reqId", m.req_id);
}

}  // namespace td::ib::wire
