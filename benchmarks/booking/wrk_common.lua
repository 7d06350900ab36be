-- Shared by the wrk scripts: the seeded ids, the bearer token, counting answers by status
-- in every thread, and one machine-readable line at the end (BENCH_RESULT {json}).

local M = {}
local threads = {}

function M.data()
  return dofile(os.getenv("BENCH_DATA") or "benchmarks/.data/bench_data.lua")
end

function M.headers()
  local token = os.getenv("BENCH_TOKEN")
  if token == nil or token == "" then
    error("set BENCH_TOKEN to an access token")
  end
  return {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
end

function M.setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function M.init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
  counts = {}
  samples = {}
end

function M.response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status ~= 200 and status ~= 201 and status ~= 409 and #samples < 3 then
    table.insert(samples, string.sub(body or "", 1, 300))
  end
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function M.done(summary, latency, requests)
  local totals, found = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts") or {}) do
      totals[status] = (totals[status] or 0) + n
    end
    for _, body in ipairs(thread:get("samples") or {}) do
      table.insert(found, json_string(body))
    end
  end
  local statuses = {}
  for status, n in pairs(totals) do
    table.insert(statuses, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"duration_us":%d,"requests":%d,"statuses":{%s},'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f,"stdev":%.1f},'
      .. '"unexpected_bodies":[%s]}\n',
    summary.duration, summary.requests, table.concat(statuses, ","),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, latency.stdev, table.concat(found, ",")))
end

return M
