#pragma once
// How a message's field list is written down once for both directions. Why:
// an encoder and a decoder written separately drift apart field by field; a
// single list cannot. Each list is a function template
//
//   template <class Io, Is<PlaceOrder> M> void fields(Io& io, M& m);
//
// instantiated with Io = FieldWriter and M = const PlaceOrder (encode), and
// with Io = FieldReader and M = PlaceOrder (decode). The two classes have
// the same method per field type (text, int64, opt_dbl, count, ...); the
// writer's take values, the reader's take references to fill. Conditional
// groups test fields already written or read, which is the same test in
// both directions. Version gates read io.version(). The message id is not in
// the list (the codec writes and dispatches on it).
#include <concepts>
#include <type_traits>

namespace td::ib::wire {

// M is T or const T.
template <class M, class T>
concept Is = std::same_as<std::remove_const_t<M>, T>;

}  // namespace td::ib::wire
