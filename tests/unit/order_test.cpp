// The order state machine (api-v1.md statuses), fills, validation and modify.
#include "core/order.h"

#include <gtest/gtest.h>

#include <array>
#include <ostream>
#include <string>
#include <vector>

namespace td {
// gtest prints these as text (internal linkage: one per test file).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}
[[maybe_unused]] static void PrintTo(OrderStatus s, std::ostream* os) {
  *os << to_string(s);
}

namespace {

using S = OrderStatus;

constexpr std::array<S, 9> kAll = {S::kQueued,          S::kPendingSubmit, S::kSubmitted,
                                   S::kPartiallyFilled, S::kFilled,        S::kPendingCancel,
                                   S::kCancelled,       S::kRejected,      S::kExpired};

Timestamp T(int64_t seconds) {
  return from_unix_seconds(1'700'000'000 + seconds);
}

OrderRequest market(Side side, const char* qty) {
  OrderRequest r;
  r.symbol = Symbol("SPY");
  r.side = side;
  r.qty = Decimal::parse(qty).value();
  r.type = OrderType::kMarket;
  return r;
}

OrderRequest limit(Side side, const char* qty, const char* px) {
  OrderRequest r = market(side, qty);
  r.type = OrderType::kLimit;
  r.limit_price = Decimal::parse(px).value();
  return r;
}

Fill fill(Side side, const char* qty, const char* px, std::string exec_id = "",
          const char* commission = "0", int64_t at = 10) {
  Fill f;
  f.symbol = Symbol("SPY");
  f.side = side;
  f.qty = Decimal::parse(qty).value();
  f.price = Decimal::parse(px).value();
  f.commission = Decimal::parse(commission).value();
  f.time = T(at);
  f.broker_exec_id = std::move(exec_id);
  return f;
}

// ---------------------------------------------------------------------------
// Names

TEST(OrderNames, StatusesRoundTrip) {
  const std::vector<std::string> names = {"queued",           "pending_submit", "submitted",
                                          "partially_filled", "filled",         "pending_cancel",
                                          "cancelled",        "rejected",       "expired"};
  for (size_t i = 0; i < kAll.size(); ++i) {
    EXPECT_EQ(to_string(kAll[i]), names[i]);
    EXPECT_EQ(parse_order_status(names[i]), kAll[i]);
  }
  EXPECT_EQ(parse_order_status("open"), std::nullopt);
  EXPECT_EQ(parse_order_status("Filled"), std::nullopt);
  EXPECT_EQ(parse_order_status(""), std::nullopt);
}

TEST(OrderNames, SidesTypesTifs) {
  EXPECT_EQ(to_string(Side::kBuy), "buy");
  EXPECT_EQ(to_string(Side::kSell), "sell");
  EXPECT_EQ(parse_side("buy"), Side::kBuy);
  EXPECT_EQ(parse_side("sell"), Side::kSell);
  EXPECT_EQ(parse_side("BUY"), std::nullopt);
  EXPECT_EQ(parse_side("short"), std::nullopt);
  for (auto t : {OrderType::kMarket, OrderType::kLimit, OrderType::kStop, OrderType::kStopLimit})
    EXPECT_EQ(parse_order_type(to_string(t)), t);
  EXPECT_EQ(to_string(OrderType::kStopLimit), "stop_limit");
  EXPECT_EQ(parse_order_type("stop-limit"), std::nullopt);
  for (auto t : {TimeInForce::kDay, TimeInForce::kGtc, TimeInForce::kIoc})
    EXPECT_EQ(parse_tif(to_string(t)), t);
  EXPECT_EQ(to_string(TimeInForce::kGtc), "gtc");
  EXPECT_EQ(parse_tif("fok"), std::nullopt);
  EXPECT_EQ(sign_of(Side::kBuy), 1);
  EXPECT_EQ(sign_of(Side::kSell), -1);
  EXPECT_EQ(opposite(Side::kBuy), Side::kSell);
  EXPECT_EQ(opposite(Side::kSell), Side::kBuy);
}

TEST(OrderStateMachine, TerminalStatuses) {
  for (S s : kAll) {
    const bool terminal =
        s == S::kFilled || s == S::kCancelled || s == S::kRejected || s == S::kExpired;
    EXPECT_EQ(is_terminal(s), terminal) << to_string(s);
  }
}

// ---------------------------------------------------------------------------
// The transition table, every pair.
//
// Derived from api-v1.md and the comments in order.h:
//  - queued (not routed yet): routed (pending_submit), or it ends without ever
//    reaching the broker: cancelled (DELETE of a queued order), rejected (risk),
//    expired (a day order still queued at the close).
//  - pending_submit (sent, no ack): the ack (submitted), fills that overtake the
//    ack (partially_filled/filled), a cancel request (pending_cancel), or the
//    broker ends it (cancelled/rejected/expired).
//  - submitted: fills, a cancel request, or the broker ends it; the broker may
//    still reject an order it acknowledged (e.g. at the exchange).
//  - partially_filled: more partial fills (self-transition), filled, a cancel
//    request, cancelled, expired. Not rejected: an order that has traded was
//    accepted.
//  - pending_cancel: confirmed (cancelled), overtaken by fills (filled) or by
//    the end of the day (expired), refused (back to the working state it came
//    from: pending_submit, submitted or partially_filled), or, when the cancel
//    was sent before the acknowledgement, the order itself is rejected.
//  - filled, cancelled, rejected, expired: terminal, nothing leaves them.
constexpr bool kAllowed[9][9] = {
    // to:  Q  PS  Sub PF  F  PC  C  Rej Exp
    /* Q   */ {0, 1, 0, 0, 0, 0, 1, 1, 1},
    /* PS  */ {0, 0, 1, 1, 1, 1, 1, 1, 1},
    /* Sub */ {0, 0, 0, 1, 1, 1, 1, 1, 1},
    /* PF  */ {0, 0, 0, 1, 1, 1, 1, 0, 1},
    /* F   */ {0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* PC  */ {0, 1, 1, 1, 1, 0, 1, 1, 1},
    /* C   */ {0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* Rej */ {0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* Exp */ {0, 0, 0, 0, 0, 0, 0, 0, 0},
};

TEST(OrderStateMachine, CanTransitionMatchesTheTableForEveryPair) {
  int allowed = 0;
  for (size_t i = 0; i < kAll.size(); ++i) {
    for (size_t j = 0; j < kAll.size(); ++j) {
      EXPECT_EQ(can_transition(kAll[i], kAll[j]), kAllowed[i][j])
          << to_string(kAll[i]) << " -> " << to_string(kAll[j]);
      allowed += kAllowed[i][j];
    }
  }
  EXPECT_EQ(allowed, 4 + 7 + 6 + 5 + 7);
}

TEST(OrderStateMachine, NothingLeavesATerminalStatusAndNothingReturnsToQueued) {
  for (S from : kAll) {
    EXPECT_FALSE(can_transition(from, S::kQueued)) << to_string(from);
    if (!is_terminal(from)) continue;
    for (S to : kAll)
      EXPECT_FALSE(can_transition(from, to)) << to_string(from) << "->" << to_string(to);
  }
}

// Brings a fresh order (qty 100) to `s` along a legal path.
Order order_in(S s) {
  Order o(OrderId(1), market(Side::kBuy, "100"), T(0));
  auto go = [&](S to) { EXPECT_TRUE(o.transition(to, T(1)).has_value()) << to_string(to); };
  switch (s) {
    case S::kQueued:
      break;
    case S::kPendingSubmit:
      go(S::kPendingSubmit);
      break;
    case S::kSubmitted:
      go(S::kPendingSubmit), go(S::kSubmitted);
      break;
    case S::kPartiallyFilled:
      go(S::kPendingSubmit), go(S::kSubmitted);
      EXPECT_TRUE(o.apply_fill(fill(Side::kBuy, "40", "10", "e1", "0", 1)).has_value());
      break;
    case S::kFilled:
      go(S::kPendingSubmit), go(S::kSubmitted), go(S::kFilled);
      break;
    case S::kPendingCancel:
      go(S::kPendingSubmit), go(S::kSubmitted), go(S::kPendingCancel);
      break;
    case S::kCancelled:
      go(S::kCancelled);
      break;
    case S::kRejected:
      go(S::kRejected);
      break;
    case S::kExpired:
      go(S::kExpired);
      break;
  }
  EXPECT_EQ(o.status(), s);
  return o;
}

TEST(OrderStateMachine, OrderTransitionAppliesLegalAndRefusesIllegalChanges) {
  for (size_t i = 0; i < kAll.size(); ++i) {
    for (size_t j = 0; j < kAll.size(); ++j) {
      Order o = order_in(kAll[i]);
      const Timestamp before = o.updated_at();
      const Decimal filled = o.filled_qty();
      auto st = o.transition(kAll[j], T(100));
      const std::string what =
          std::string(to_string(kAll[i])) + " -> " + std::string(to_string(kAll[j]));
      if (kAllowed[i][j]) {
        ASSERT_TRUE(st.has_value()) << what << ": " << st.error().message;
        EXPECT_EQ(o.status(), kAll[j]) << what;
        EXPECT_EQ(o.updated_at(), T(100)) << what;
      } else {
        ASSERT_FALSE(st.has_value()) << what;
        EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition) << what;
        EXPECT_NE(st.error().message.find("is not allowed"), std::string::npos) << what;
        EXPECT_EQ(o.status(), kAll[i]) << what;  // unchanged
        EXPECT_EQ(o.updated_at(), before) << what;
      }
      EXPECT_EQ(o.filled_qty(), filled) << what;
    }
  }
}

TEST(OrderStateMachine, NewOrderIsQueuedAndOpen) {
  Order o(OrderId(7), limit(Side::kSell, "100", "450.10"), T(5));
  EXPECT_EQ(o.id(), OrderId(7));
  EXPECT_EQ(o.status(), S::kQueued);
  EXPECT_TRUE(o.is_open());
  EXPECT_EQ(o.created_at(), T(5));
  EXPECT_EQ(o.updated_at(), T(5));
  EXPECT_EQ(o.filled_qty(), Decimal());
  EXPECT_EQ(o.remaining_qty(), "100"_d);
  EXPECT_EQ(o.signed_remaining(), "-100"_d);  // a sell
  EXPECT_EQ(o.avg_fill_price(), Decimal());
  EXPECT_EQ(o.symbol(), Symbol("SPY"));
  EXPECT_EQ(o.side(), Side::kSell);
  EXPECT_EQ(o.source(), "api");
  EXPECT_FALSE(o.reject_reason().has_value());
  EXPECT_TRUE(o.fills().empty());
}

TEST(OrderStateMachine, RefusedCancelReturnsToTheWorkingStateItCameFrom) {
  for (S working : {S::kPendingSubmit, S::kSubmitted, S::kPartiallyFilled}) {
    Order o = order_in(working);
    ASSERT_TRUE(o.transition(S::kPendingCancel, T(2)).has_value()) << to_string(working);
    EXPECT_EQ(o.status_before_cancel(), working);
    EXPECT_TRUE(o.is_open());
    ASSERT_TRUE(o.transition(o.status_before_cancel(), T(3)).has_value()) << to_string(working);
    EXPECT_EQ(o.status(), working);
  }
}

TEST(OrderStateMachine, RejectSetsTheReasonOnlyWhenAllowed) {
  Order o = order_in(S::kSubmitted);
  ASSERT_TRUE(o.reject("insufficient margin", T(2)).has_value());
  EXPECT_EQ(o.status(), S::kRejected);
  EXPECT_EQ(o.reject_reason(), "insufficient margin");
  EXPECT_FALSE(o.is_open());

  Order filled = order_in(S::kFilled);
  auto st = filled.reject("late", T(2));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
  EXPECT_EQ(filled.status(), S::kFilled);
  EXPECT_FALSE(filled.reject_reason().has_value());
}

TEST(OrderStateMachine, CancelSentBeforeTheAckThenTheOrderIsRejected) {
  // pending_submit -> pending_cancel -> rejected: the broker refused the order
  // itself; it must not stay open forever.
  Order o = order_in(S::kPendingSubmit);
  ASSERT_TRUE(o.transition(S::kPendingCancel, T(2)).has_value());
  ASSERT_TRUE(o.reject("201: order rejected", T(3)).has_value());
  EXPECT_EQ(o.status(), S::kRejected);
  EXPECT_FALSE(o.is_open());
}

TEST(OrderStateMachine, AckAfterACancelRequestThenTheCancelIsRefused) {
  // pending_submit -> pending_cancel; the broker's ack arrives (it cannot move
  // the status), then the cancel is refused: the order is working at the broker,
  // so it returns to submitted, not to pending_submit.
  Order o = order_in(S::kPendingSubmit);
  ASSERT_TRUE(o.transition(S::kPendingCancel, T(2)).has_value());
  EXPECT_EQ(o.status_before_cancel(), S::kPendingSubmit);
  o.note_accepted();
  EXPECT_EQ(o.status(), S::kPendingCancel);
  EXPECT_EQ(o.status_before_cancel(), S::kSubmitted);
  ASSERT_TRUE(o.transition(o.status_before_cancel(), T(3)).has_value());
  EXPECT_EQ(o.status(), S::kSubmitted);
  // Elsewhere it changes nothing.
  Order p = order_in(S::kPartiallyFilled);
  ASSERT_TRUE(p.transition(S::kPendingCancel, T(2)).has_value());
  p.note_accepted();
  EXPECT_EQ(p.status_before_cancel(), S::kPartiallyFilled);
  Order q = order_in(S::kPendingSubmit);
  q.note_accepted();
  EXPECT_EQ(q.status(), S::kPendingSubmit);
}

TEST(OrderStateMachine, AnOrderWithFillsCannotBeRejected) {
  Order o = order_in(S::kPartiallyFilled);
  ASSERT_TRUE(o.transition(S::kPendingCancel, T(2)).has_value());
  auto st = o.reject("too late", T(3));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
  EXPECT_EQ(o.status(), S::kPendingCancel);
  EXPECT_FALSE(o.reject_reason().has_value());
}

// ---------------------------------------------------------------------------
// Fills

TEST(OrderFills, PartialFillsThenFilledWithVolumeWeightedAverage) {
  Order o = order_in(S::kSubmitted);
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "40", "450.08", "e1", "1.00", 20)).has_value());
  EXPECT_EQ(o.status(), S::kPartiallyFilled);
  EXPECT_EQ(o.filled_qty(), "40"_d);
  EXPECT_EQ(o.remaining_qty(), "60"_d);
  EXPECT_EQ(o.signed_remaining(), "60"_d);
  EXPECT_EQ(o.avg_fill_price(), "450.08"_d);
  EXPECT_EQ(o.commission(), "1.00"_d);
  EXPECT_EQ(o.updated_at(), T(20));
  EXPECT_TRUE(o.is_open());

  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "25", "450.10", "e2", "0.13", 21)).has_value());
  EXPECT_EQ(o.status(), S::kPartiallyFilled);  // partially_filled -> partially_filled
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "35", "450.10", "e3", "0.17", 22)).has_value());
  EXPECT_EQ(o.status(), S::kFilled);
  EXPECT_FALSE(o.is_open());
  EXPECT_EQ(o.filled_qty(), "100"_d);
  EXPECT_EQ(o.remaining_qty(), Decimal());
  // (40 * 450.08 + 60 * 450.10) / 100 = (18003.20 + 27006.00) / 100 = 450.092
  EXPECT_EQ(o.avg_fill_price(), "450.092"_d);
  EXPECT_EQ(o.commission(), "1.30"_d);  // 1.00 + 0.13 + 0.17
  ASSERT_EQ(o.fills().size(), 3u);
  EXPECT_EQ(o.fills()[1].broker_exec_id, "e2");
  EXPECT_EQ(o.updated_at(), T(22));
}

TEST(OrderFills, AveragePriceRoundsHalfEvenToEightDecimals) {
  Order o = order_in(S::kSubmitted);
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "1", "10.00", "a")).has_value());
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "2", "10.01", "b")).has_value());
  // (10.00 + 20.02) / 3 = 10.0066666666... -> 10.00666667
  EXPECT_EQ(o.avg_fill_price(), "10.00666667"_d);
}

TEST(OrderFills, SellOrderFills) {
  Order o(OrderId(2), market(Side::kSell, "10"), T(0));
  ASSERT_TRUE(o.transition(S::kPendingSubmit, T(1)).has_value());
  ASSERT_TRUE(o.apply_fill(fill(Side::kSell, "4", "99.99", "s1")).has_value());
  EXPECT_EQ(o.signed_remaining(), "-6"_d);
  // A buy execution cannot belong to a sell order.
  auto st = o.apply_fill(fill(Side::kBuy, "1", "99.99", "s2"));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(o.filled_qty(), "4"_d);
}

TEST(OrderFills, FillOvertakingTheAckMovesPendingSubmitOn) {
  Order a = order_in(S::kPendingSubmit);
  ASSERT_TRUE(a.apply_fill(fill(Side::kBuy, "30", "10", "x")).has_value());
  EXPECT_EQ(a.status(), S::kPartiallyFilled);
  Order b = order_in(S::kPendingSubmit);
  ASSERT_TRUE(b.apply_fill(fill(Side::kBuy, "100", "10", "y")).has_value());
  EXPECT_EQ(b.status(), S::kFilled);
}

// Checks that a refused fill changed nothing.
void expect_unchanged(const Order& o, S status, const char* filled, size_t fills) {
  EXPECT_EQ(o.status(), status);
  EXPECT_EQ(o.filled_qty(), Decimal::parse(filled).value());
  EXPECT_EQ(o.fills().size(), fills);
}

TEST(OrderFills, OverfillIsRefusedAndChangesNothing) {
  Order o = order_in(S::kSubmitted);
  auto st = o.apply_fill(fill(Side::kBuy, "100.00000001", "10", "e1"));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  expect_unchanged(o, S::kSubmitted, "0", 0);
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "60", "10", "e2")).has_value());
  st = o.apply_fill(fill(Side::kBuy, "41", "10", "e3"));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message.find("exceeds remaining 40"), std::string::npos)
      << st.error().message;
  expect_unchanged(o, S::kPartiallyFilled, "60", 1);
  EXPECT_EQ(o.avg_fill_price(), "10"_d);
  // Exactly the remainder is fine.
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "40", "10", "e4")).has_value());
  EXPECT_EQ(o.status(), S::kFilled);
  // Anything more on a filled order is an overfill.
  st = o.apply_fill(fill(Side::kBuy, "1", "10", "e5"));
  ASSERT_FALSE(st.has_value());
  expect_unchanged(o, S::kFilled, "100", 2);
}

TEST(OrderFills, DuplicateExecIdIsRefused) {
  Order o = order_in(S::kSubmitted);
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "10", "10", "0001.01")).has_value());
  auto st = o.apply_fill(fill(Side::kBuy, "10", "10", "0001.01"));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  expect_unchanged(o, S::kPartiallyFilled, "10", 1);
  // A different exec id is a different execution.
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "10", "10", "0001.02")).has_value());
  EXPECT_EQ(o.filled_qty(), "20"_d);
  // Without exec ids nothing can be de-duplicated (the simulator may omit them).
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "10", "10", "")).has_value());
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "10", "10", "")).has_value());
  EXPECT_EQ(o.filled_qty(), "40"_d);
}

TEST(OrderFills, ReplayOfTheCompletingFillIsADuplicateNotAnOverfill) {
  Order o = order_in(S::kSubmitted);
  const Fill last = fill(Side::kBuy, "100", "10", "final");
  ASSERT_TRUE(o.apply_fill(last).has_value());
  auto st = o.apply_fill(last);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  expect_unchanged(o, S::kFilled, "100", 1);
}

TEST(OrderFills, FillOnQueuedOrRejectedIsRefused) {
  for (S s : {S::kQueued, S::kRejected}) {
    Order o = order_in(s);
    auto st = o.apply_fill(fill(Side::kBuy, "10", "10", "e"));
    ASSERT_FALSE(st.has_value()) << to_string(s);
    EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
    expect_unchanged(o, s, "0", 0);
    EXPECT_EQ(o.commission(), Decimal());
  }
}

TEST(OrderFills, BadQuantityOrPriceIsRefused) {
  Order o = order_in(S::kSubmitted);
  for (auto [q, p] : std::vector<std::pair<const char*, const char*>>{
           {"0", "10"}, {"-1", "10"}, {"1", "0"}, {"1", "-10"}}) {
    auto st = o.apply_fill(fill(Side::kBuy, q, p, ""));
    ASSERT_FALSE(st.has_value()) << q << " @ " << p;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  }
  expect_unchanged(o, S::kSubmitted, "0", 0);
}

TEST(OrderFills, LateFillCompletingAPendingCancelFillsTheOrder) {
  Order o = order_in(S::kPartiallyFilled);  // 40 of 100 filled
  ASSERT_TRUE(o.transition(S::kPendingCancel, T(2)).has_value());
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "60", "10.5", "late")).has_value());
  EXPECT_EQ(o.status(), S::kFilled);
  EXPECT_EQ(o.filled_qty(), "100"_d);
  // (40 * 10 + 60 * 10.5) / 100 = (400 + 630) / 100 = 10.3
  EXPECT_EQ(o.avg_fill_price(), "10.3"_d);
  // The cancel confirmation that follows is refused.
  EXPECT_FALSE(o.transition(S::kCancelled, T(3)).has_value());
  EXPECT_EQ(o.status(), S::kFilled);
}

TEST(OrderFills, LatePartialFillOnPendingCancelThenTheCancelIsRefused) {
  Order o = order_in(S::kSubmitted);
  ASSERT_TRUE(o.transition(S::kPendingCancel, T(2)).has_value());
  EXPECT_EQ(o.status_before_cancel(), S::kSubmitted);
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "30", "10", "late")).has_value());
  EXPECT_EQ(o.status(), S::kPendingCancel);  // still waiting for the cancel's answer
  EXPECT_EQ(o.filled_qty(), "30"_d);
  // The working state is now partially filled: a refused cancel returns there.
  EXPECT_EQ(o.status_before_cancel(), S::kPartiallyFilled);
  ASSERT_TRUE(o.transition(o.status_before_cancel(), T(3)).has_value());
  EXPECT_EQ(o.status(), S::kPartiallyFilled);
  EXPECT_EQ(o.remaining_qty(), "70"_d);
}

TEST(OrderFills, LatePartialFillOnPendingCancelThenTheCancelIsConfirmed) {
  Order o = order_in(S::kSubmitted);
  ASSERT_TRUE(o.transition(S::kPendingCancel, T(2)).has_value());
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "30", "10", "late")).has_value());
  ASSERT_TRUE(o.transition(S::kCancelled, T(3)).has_value());
  EXPECT_EQ(o.status(), S::kCancelled);
  EXPECT_EQ(o.filled_qty(), "30"_d);
}

TEST(OrderFills, FillAfterTheCancelWasConfirmedIsRecordedButTheStatusStays) {
  // A fill is a fact at the broker: it is kept (so the position is right) even
  // when it arrives after the cancel confirmation; the order stays cancelled.
  for (S s : {S::kCancelled, S::kExpired}) {
    Order o = order_in(S::kSubmitted);
    ASSERT_TRUE(o.transition(s, T(2)).has_value());
    ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "20", "10", "after")).has_value()) << to_string(s);
    EXPECT_EQ(o.status(), s);
    EXPECT_EQ(o.filled_qty(), "20"_d);
    EXPECT_EQ(o.fills().size(), 1u);
    // Overfills are still refused.
    EXPECT_FALSE(o.apply_fill(fill(Side::kBuy, "81", "10", "after2")).has_value());
  }
}

// ---------------------------------------------------------------------------
// validate()

TEST(OrderValidate, AcceptsWellFormedRequests) {
  EXPECT_TRUE(validate(market(Side::kBuy, "100")).has_value());
  EXPECT_TRUE(validate(market(Side::kSell, "0.00000001")).has_value());
  EXPECT_TRUE(validate(limit(Side::kBuy, "100", "450.10")).has_value());
  OrderRequest stop = market(Side::kSell, "5");
  stop.type = OrderType::kStop;
  stop.stop_price = "440"_d;
  EXPECT_TRUE(validate(stop).has_value());
  OrderRequest sl = stop;
  sl.type = OrderType::kStopLimit;
  sl.limit_price = "439.5"_d;
  EXPECT_TRUE(validate(sl).has_value());
  OrderRequest id = market(Side::kBuy, "1");
  id.client_order_id = "my-2026-11-21-001";
  EXPECT_TRUE(validate(id).has_value());
  id.client_order_id = "AZaz09._:-";
  EXPECT_TRUE(validate(id).has_value());
  id.client_order_id = std::string(64, 'x');
  EXPECT_TRUE(validate(id).has_value());
}

TEST(OrderValidate, RejectsEachProblemWithTheFieldName) {
  struct C {
    std::string name;
    OrderRequest req;
    std::string field;
  };
  std::vector<C> cases;
  auto add = [&](std::string name, auto mutate, std::string field) {
    OrderRequest r = market(Side::kBuy, "10");
    mutate(r);
    cases.push_back({std::move(name), std::move(r), std::move(field)});
  };
  add(
      "empty symbol", [](OrderRequest& r) { r.symbol = Symbol(); }, "symbol");
  add(
      "zero qty", [](OrderRequest& r) { r.qty = Decimal(); }, "qty");
  add(
      "negative qty", [](OrderRequest& r) { r.qty = "-10"_d; }, "qty");
  add(
      "limit without price", [](OrderRequest& r) { r.type = OrderType::kLimit; }, "limit_price");
  add(
      "market with limit price", [](OrderRequest& r) { r.limit_price = "1"_d; }, "limit_price");
  add(
      "stop without stop price", [](OrderRequest& r) { r.type = OrderType::kStop; }, "stop_price");
  add(
      "market with stop price", [](OrderRequest& r) { r.stop_price = "1"_d; }, "stop_price");
  add(
      "stop_limit without stop",
      [](OrderRequest& r) {
        r.type = OrderType::kStopLimit;
        r.limit_price = "1"_d;
      },
      "stop_price");
  add(
      "stop_limit without limit",
      [](OrderRequest& r) {
        r.type = OrderType::kStopLimit;
        r.stop_price = "1"_d;
      },
      "limit_price");
  add(
      "limit with stop price",
      [](OrderRequest& r) {
        r.type = OrderType::kLimit;
        r.limit_price = "1"_d;
        r.stop_price = "1"_d;
      },
      "stop_price");
  add(
      "zero limit price",
      [](OrderRequest& r) {
        r.type = OrderType::kLimit;
        r.limit_price = Decimal();
      },
      "limit_price");
  add(
      "negative stop price",
      [](OrderRequest& r) {
        r.type = OrderType::kStop;
        r.stop_price = "-1"_d;
      },
      "stop_price");
  add(
      "client id too long", [](OrderRequest& r) { r.client_order_id = std::string(65, 'x'); },
      "client_order_id");
  for (std::string bad : {"a b", "a/b", "a@b", "é", "a\nb", "a,b", "a+b"})
    add(
        "client id '" + bad + "'", [bad](OrderRequest& r) { r.client_order_id = bad; },
        "client_order_id");

  for (const auto& c : cases) {
    auto st = validate(c.req);
    ASSERT_FALSE(st.has_value()) << c.name;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_EQ(st.error().message.rfind(c.field + ":", 0), 0u)
        << c.name << ": " << st.error().message;
  }
}

// ---------------------------------------------------------------------------
// modify()

TEST(OrderModify, ChangesQtyAndPricesOfAWorkingOrder) {
  Order o(OrderId(3), limit(Side::kBuy, "100", "450.10"), T(0));
  ASSERT_TRUE(o.modify("150"_d, "450.20"_d, std::nullopt, T(5)).has_value());
  EXPECT_EQ(o.qty(), "150"_d);
  EXPECT_EQ(o.request().limit_price, "450.20"_d);
  EXPECT_EQ(o.updated_at(), T(5));
  EXPECT_EQ(o.status(), S::kQueued);  // modify does not change the status

  ASSERT_TRUE(o.transition(S::kPendingSubmit, T(6)).has_value());
  ASSERT_TRUE(o.transition(S::kSubmitted, T(7)).has_value());
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "50", "450.20", "m1", "0", 8)).has_value());
  // Only the price.
  ASSERT_TRUE(o.modify(std::nullopt, "450.15"_d, std::nullopt, T(9)).has_value());
  EXPECT_EQ(o.qty(), "150"_d);
  EXPECT_EQ(o.request().limit_price, "450.15"_d);
  // Quantity down to just above what has filled.
  ASSERT_TRUE(o.modify("50.00000001"_d, std::nullopt, std::nullopt, T(10)).has_value());
  EXPECT_EQ(o.remaining_qty(), "0.00000001"_d);
  EXPECT_EQ(o.status(), S::kPartiallyFilled);
}

TEST(OrderModify, RefusedChangesLeaveTheOrderUnchanged) {
  Order o(OrderId(4), limit(Side::kBuy, "100", "450.10"), T(0));
  ASSERT_TRUE(o.transition(S::kPendingSubmit, T(1)).has_value());
  ASSERT_TRUE(o.apply_fill(fill(Side::kBuy, "40", "450.10", "f1", "0", 2)).has_value());
  auto check_unchanged = [&](const char* what) {
    EXPECT_EQ(o.qty(), "100"_d) << what;
    EXPECT_EQ(o.request().limit_price, "450.10"_d) << what;
    EXPECT_FALSE(o.request().stop_price.has_value()) << what;
    EXPECT_EQ(o.updated_at(), T(2)) << what;
  };
  // Quantity at or below the filled quantity.
  auto st = o.modify("40"_d, std::nullopt, std::nullopt, T(3));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  check_unchanged("qty == filled");
  EXPECT_FALSE(o.modify("30"_d, std::nullopt, std::nullopt, T(3)).has_value());
  check_unchanged("qty < filled");
  // Values validate() refuses.
  EXPECT_FALSE(o.modify(Decimal(), std::nullopt, std::nullopt, T(3)).has_value());
  check_unchanged("qty 0");
  EXPECT_FALSE(o.modify(std::nullopt, "-1"_d, std::nullopt, T(3)).has_value());
  check_unchanged("negative limit");
  st = o.modify("200"_d, std::nullopt, "449"_d, T(3));  // stop price on a limit order
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  check_unchanged("stop on limit");
  // While a cancel is pending.
  ASSERT_TRUE(o.transition(S::kPendingCancel, T(4)).has_value());
  st = o.modify("200"_d, std::nullopt, std::nullopt, T(5));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
  EXPECT_EQ(o.qty(), "100"_d);
}

TEST(OrderModify, TerminalOrdersCannotBeModified) {
  for (S s : {S::kFilled, S::kCancelled, S::kRejected, S::kExpired}) {
    Order o = order_in(s);
    auto st = o.modify("200"_d, std::nullopt, std::nullopt, T(9));
    ASSERT_FALSE(st.has_value()) << to_string(s);
    EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
    EXPECT_EQ(o.qty(), "100"_d);
  }
}

}  // namespace
}  // namespace td
