#pragma once
// Every server -> client message the codec knows ("incoming" is always the
// daemon's point of view, also in the simulator that sends them). Why a
// variant: sessions dispatch with std::visit, so a handler that forgets a
// message does not compile, and the codec finds each alternative's layout
// by its kId (UnknownMessage last, for ids it has none for).
#include <variant>

#include "brokers/ib/contract_data.h"
#include "brokers/ib/events.h"
#include "brokers/ib/open_order.h"
#include "brokers/ib/unknown_message.h"

namespace td::ib {

using IncomingMessage =
    std::variant<TickPrice, TickSize, OrderStatus, ErrorMessage, OpenOrder, AccountValue,
                 PortfolioValue, AccountUpdateTime, NextValidId, ContractData, ExecDetails,
                 ManagedAccounts, HistoricalData, TickGeneric, TickString, CurrentTime, RealtimeBar,
                 ContractDataEnd, OpenOrderEnd, AccountDownloadEnd, ExecDetailsEnd, TickSnapshotEnd,
                 MarketDataType, CommissionReport, Position, PositionEnd, AccountSummary,
                 AccountSummaryEnd, TickReqParams, HistoricalDataUpdate, UnknownMessage>;

}  // namespace td::ib
