-- wrk script: a Connect flow as a state machine, one flow at a time per connection.
-- Run with as many threads as connections (-t16 -c16): each wrk thread has its own Lua
-- state, so with one connection per thread the responses arrive in order and each step
-- can use the ids the previous ones returned.
--   wrk -t16 -c16 -d10s -s flow.lua http://127.0.0.1:PORT -- KEYPREFIX tokens|payment_methods
-- Every request carries its own Idempotency-Key, as stripe-python sends. A step that
-- does not answer 200 counts as an error and restarts the flow.
-- Prints: WRKJSON {flows, requests, errors, latency percentiles of single requests}.

local threads = {}
local prefix, flow_name = "bench", "tokens"
local counter = 0
flows, failed = 0, 0  -- globals: done() reads them with thread:get()
local step, ids = 1, {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  prefix = string.format("%s-%d-", args[1] or tostring(os.time()), tid or 0)
  flow_name = args[2] or "tokens"
end

local function enc(s)
  return (string.gsub(s, "([^%w%-%._~])", function(c)
    return string.format("%%%02X", string.byte(c)) end))
end

-- Each step: path, form body (from the ids so far), act as the connected account?, and
-- the id prefix to read from the response (nil: nothing to keep).
local FLOWS = {
  tokens = {
    {"/v1/customers", function(i) return "email=" .. enc("jenny@example.com") .. "&source=tok_visa" end,
     false, "cus", "customer"},
    {"/v1/accounts", function(i) return "type=standard" end, false, "acct", "account"},
    {"/v1/tokens", function(i) return "customer=" .. i.customer end, true, "tok", "token"},
    {"/v1/customers", function(i) return "source=" .. i.token end, true, "cus", "connected_customer"},
    {"/v1/charges", function(i) return "amount=2000&currency=usd&customer=" .. i.connected_customer end,
     true, nil, nil},
  },
  payment_methods = {
    {"/v1/payment_methods", function(i) return "type=card&card[token]=tok_visa"
      .. "&billing_details[name]=Jenny+Rosen" end, false, "pm", "pm"},
    {"/v1/customers", function(i) return "name=Jenny+Rosen&payment_method=" .. i.pm end,
     false, "cus", "customer"},
    {"/v1/accounts", function(i) return "type=standard" end, false, "acct", "account"},
    {"/v1/payment_methods", function(i) return "customer=" .. i.customer .. "&payment_method=" .. i.pm end,
     true, "pm", "clone"},
    {"/v1/payment_intents", function(i) return "amount=2000&currency=usd&confirm=true&payment_method=" .. i.clone end,
     true, nil, nil},
  },
}

function request()
  local s = FLOWS[flow_name][step]
  counter = counter + 1
  local headers = {
    ["Authorization"] = "Bearer sk_test_bench",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Stripe-Version"] = "2023-08-16",
    ["Idempotency-Key"] = prefix .. counter,
  }
  if s[3] then headers["Stripe-Account"] = ids.account end
  return wrk.format("POST", s[1], headers, s[2](ids))
end

local function read_id(body, want)
  -- the sandbox's ids have the expected prefix; the minimal durable endpoint answers
  -- {"id": "obj_..."}: take the first id then
  return string.match(body, '"id":%s*"(' .. want .. '_[%w_]+)"')
      or string.match(body, '"id":%s*"([%w_]+)"')
end

function response(status, headers, body)
  local s = FLOWS[flow_name][step]
  if status ~= 200 then
    failed = failed + 1
    if failed <= 3 then io.stderr:write("flow step " .. step .. " answered " .. status .. ": "
      .. string.sub(body or "", 1, 300) .. "\n") end
    step, ids = 1, {}
    return
  end
  if s[4] then
    ids[s[5]] = read_id(body, s[4])
    if not ids[s[5]] then
      failed = failed + 1
      step, ids = 1, {}
      return
    end
  end
  step = step + 1
  if step > #FLOWS[flow_name] then
    flows = flows + 1
    step, ids = 1, {}
  end
end

function done(summary, latency, requests)
  local total_flows, total_failed = 0, 0
  for _, t in ipairs(threads) do
    total_flows = total_flows + (t:get("flows") or 0)
    total_failed = total_failed + (t:get("failed") or 0)
  end
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WRKJSON {"flows": %d, "failed_flows": %d, "requests": %d, "duration_us": %d, '
    .. '"errors": %d, "non2xx": %d, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, '
    .. '"max_ms": %.3f}\n',
    total_flows, total_failed, summary.requests, summary.duration, errors,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
