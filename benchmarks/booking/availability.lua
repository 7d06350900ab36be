-- wrk script: the free 20-minute starts of a random practitioner over 30 days, from the
-- local midnight of a random working day 2 to 61 days ahead.
--
--   BENCH_TOKEN=<access token> BENCH_DATA=benchmarks/.data/bench_data.lua \
--     wrk -t1 -c1 -d30s --latency -s benchmarks/booking/availability.lua http://127.0.0.1:8765

local common = dofile(os.getenv("BENCH_COMMON") or "benchmarks/booking/wrk_common.lua")
local data = common.data()
local headers = common.headers()
headers["Content-Type"] = nil

function request()
  local practitioner = data.practitioners[math.random(#data.practitioners)]
  local from = data.days[math.random(#data.days)] - 8 * 3600
  local path = string.format(
    "/api/v1/practitioners/%s/availability?from=%s&to=%s&duration_minutes=20",
    practitioner[1], os.date("!%Y-%m-%dT%H:%M:%SZ", from), os.date("!%Y-%m-%dT%H:%M:%SZ", from + 30 * 86400))
  return wrk.format("GET", path, headers)
end

setup = common.setup
init = common.init
response = common.response
done = common.done
