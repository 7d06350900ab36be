-- wrk script: book a 20-minute appointment for a random patient with a random practitioner
-- (in the practitioner's room) at a random 5-minute grid start inside working hours
-- (08:00-18:40 Europe/Paris) on a working day 2 to 61 days ahead. Most succeed (201); some
-- meet an existing appointment of the practitioner, the room or the patient (409); anything
-- else is an error of the benchmark or of medcore.
--
--   BENCH_TOKEN=<access token> BENCH_DATA=benchmarks/.data/bench_data.lua \
--     wrk -t1 -c32 -d60s --latency -s benchmarks/booking/booking.lua http://127.0.0.1:8765

local common = dofile(os.getenv("BENCH_COMMON") or "benchmarks/booking/wrk_common.lua")
local data = common.data()
local headers = common.headers()

function request()
  local practitioner = data.practitioners[math.random(#data.practitioners)]
  local patient = data.patients[math.random(#data.patients)]
  local day = data.days[math.random(#data.days)]
  local starts_at = day + 300 * math.random(0, data.slots - 1)
  local body = string.format(
    '{"practitioner_id":"%s","patient_id":"%s","room_id":"%s","starts_at":"%s","duration_minutes":20,'
      .. '"reason":"Consultation"}',
    practitioner[1], patient, practitioner[2], os.date("!%Y-%m-%dT%H:%M:%SZ", starts_at))
  return wrk.format("POST", "/api/v1/appointments", headers, body)
end

setup = common.setup
init = common.init
response = common.response
done = common.done
