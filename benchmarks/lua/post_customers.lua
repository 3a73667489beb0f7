-- wrk script: POST /v1/customers as stripe-python sends it, each request with its own
-- Idempotency-Key (every request is a real write, never a replay).
--   wrk -t1 -c16 -d10s -s post_customers.lua http://127.0.0.1:PORT -- KEYPREFIX
-- Prints one line at the end: WRKJSON {requests, errors, latency percentiles in ms}.

local counter = 0
local prefix = "bench"
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  prefix = string.format("%s-%d-", args[1] or tostring(os.time()), tid or 0)
end

local body = "email=jenny.rosen%40example.com&name=Jenny+Rosen&description=bench+customer"
  .. "&metadata[order_id]=6735&metadata[plan]=pro"

local headers = {
  ["Authorization"] = "Bearer sk_test_bench",
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Stripe-Version"] = "2023-08-16",
}

function request()
  counter = counter + 1
  headers["Idempotency-Key"] = prefix .. counter
  return wrk.format("POST", "/v1/customers", headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
