#include "persistence/schema.h"

namespace td::persistence {
namespace {

// Version 1: the event log, orders, fills, positions (account and per
// strategy), equity and daily P&L telemetry, key-value state, API audit.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE events (
  seq       bigint PRIMARY KEY,
  time_ns   bigint NOT NULL,
  kind      text   NOT NULL,
  order_id  bigint,
  detail    text   NOT NULL
);

CREATE TABLE orders (
  id              bigint  PRIMARY KEY,
  client_order_id text    NOT NULL UNIQUE,
  symbol          text    NOT NULL,
  side            text    NOT NULL,
  type            text    NOT NULL,
  tif             text    NOT NULL,
  qty             numeric NOT NULL,
  limit_price     numeric,
  stop_price      numeric,
  outside_rth     boolean NOT NULL DEFAULT false,
  reduce_only     boolean NOT NULL DEFAULT false,
  submit_at_ns    bigint,
  source          text    NOT NULL,
  status          text    NOT NULL,
  filled_qty      numeric NOT NULL DEFAULT 0,
  avg_fill_price  numeric NOT NULL DEFAULT 0,
  commission      numeric NOT NULL DEFAULT 0,
  broker_order_id text    NOT NULL DEFAULT '',
  reject_reason   text,
  created_at_ns   bigint  NOT NULL,
  updated_at_ns   bigint  NOT NULL
);
-- Recovery loads the open orders and the recently changed ones: both come
-- from an index, however many closed orders the table holds.
CREATE INDEX orders_open ON orders (id)
  WHERE status NOT IN ('filled', 'cancelled', 'rejected', 'expired');
CREATE INDEX orders_updated_at ON orders (updated_at_ns);

CREATE TABLE fills (
  id             bigint  PRIMARY KEY,
  order_id       bigint  NOT NULL,
  symbol         text    NOT NULL,
  side           text    NOT NULL,
  qty            numeric NOT NULL,
  price          numeric NOT NULL,
  commission     numeric NOT NULL DEFAULT 0,
  realized       numeric NOT NULL DEFAULT 0,
  time_ns        bigint  NOT NULL,
  broker_exec_id text    UNIQUE,  -- NULL when the broker gave none
  source         text    NOT NULL
);
CREATE INDEX fills_order_id ON fills (order_id);
CREATE INDEX fills_time ON fills (time_ns);

CREATE TABLE positions (
  symbol       text    PRIMARY KEY,
  qty          numeric NOT NULL,
  cost_basis   numeric NOT NULL,
  realized     numeric NOT NULL,
  commissions  numeric NOT NULL,
  opened_at_ns bigint  NOT NULL
);

CREATE TABLE strategy_positions (
  strategy     text    NOT NULL,
  symbol       text    NOT NULL,
  qty          numeric NOT NULL,
  cost_basis   numeric NOT NULL,
  realized     numeric NOT NULL,
  commissions  numeric NOT NULL,
  opened_at_ns bigint  NOT NULL,
  PRIMARY KEY (strategy, symbol)
);

CREATE TABLE equity_snapshots (
  time_ns     bigint  PRIMARY KEY,
  equity      numeric NOT NULL,
  cash        numeric NOT NULL,
  realized    numeric NOT NULL,
  unrealized  numeric NOT NULL,
  commissions numeric NOT NULL
);

CREATE TABLE daily_pnl (
  session_start_ns bigint  PRIMARY KEY,
  realized         numeric NOT NULL,
  commissions      numeric NOT NULL,
  equity_close     numeric NOT NULL
);

CREATE TABLE kv (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The store assigns ids itself (a retried batch must not add a row twice);
-- the sequence serves rows added by hand.
CREATE TABLE api_audit (
  id      bigserial PRIMARY KEY,
  time_ns bigint NOT NULL,
  actor   text   NOT NULL,
  action  text   NOT NULL,
  detail  text   NOT NULL,
  status  int    NOT NULL
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kV1},
};

}  // namespace

std::span<const Migration> schema_migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

}  // namespace td::persistence
