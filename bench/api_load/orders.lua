-- wrk script for POST /api/v1/orders (scripts/bench-api): market orders of
-- 1 SPY, alternately buy and sell (the position stays near flat however
-- many orders fill), each with its own client_order_id:
--   bench-<run>-<thread>-<n>   (run: wrk's first script argument, so ids
-- never repeat across runs against the same daemon; thread: 1..-t).
-- The Authorization header comes from wrk's -H option.
local next_thread = 1
local run = "0"

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

local n = 0

local headers = {}

function init(args)
  if args[1] ~= nil then run = args[1] end
  -- wrk.format() takes these instead of wrk.headers (-H), so copy them.
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
end

function request()
  n = n + 1
  local side = (n % 2 == 1) and "buy" or "sell"
  local body = string.format(
    '{"symbol":"SPY","side":"%s","qty":"1","type":"market","tif":"day",' ..
    '"client_order_id":"bench-%s-%d-%d"}', side, run, tid or 0, n)
  return wrk.format("POST", "/api/v1/orders", headers, body)
end
