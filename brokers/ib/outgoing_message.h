#pragma once
// Every client -> server message the codec knows ("outgoing" is always the
// daemon's point of view, also in the simulator that receives them). Why a
// variant: sessions dispatch with std::visit, so a handler that forgets a
// message does not compile, and the codec finds each alternative's layout
// by its kId (UnknownMessage last, for ids it has none for).
#include <variant>

#include "brokers/ib/place_order.h"
#include "brokers/ib/requests.h"
#include "brokers/ib/unknown_message.h"

namespace td::ib {

using OutgoingMessage =
    std::variant<StartApi, ReqIds, PlaceOrder, CancelOrder, ReqGlobalCancel, ReqOpenOrders,
                 ReqAllOpenOrders, ReqAutoOpenOrders, ReqExecutions, ReqPositions, CancelPositions,
                 ReqAccountUpdates, ReqAccountSummary, CancelAccountSummary, ReqManagedAccts,
                 ReqMktData, CancelMktData, ReqMarketDataType, ReqRealTimeBars, CancelRealTimeBars,
                 ReqHistoricalData, CancelHistoricalData, ReqContractDetails, ReqCurrentTime,
                 UnknownMessage>;

}  // namespace td::ib
