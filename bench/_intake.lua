-- wrk script for bench/intake.py: POST one valid inquiry per request, each with a phone number and
-- an email address of its own (a repeat from one phone or email within a day would be merged, which
-- is not the normal workload).
--
--   wrk -s bench/_intake.lua <url> -- <area code> <numbers per thread>
--
-- Phones are +1 <area> <exchange 200-999> <line 0000-9999>: thread i takes the sequence numbers
-- i * <numbers per thread> onwards. The results go to the file $BENCH_INTAKE_RESULT, one fact a line:
--   summary <name> <value> | status <code> <count> | quantile <hundredths of %> <microseconds>
--   | reference <ref>

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

local body_format = '{"first_name":"Avery","last_name":"Loadtest","phone":"%s","email":"%s",'
  .. '"preferred_contact_method":"sms","best_time_to_reach":"Weekday mornings",'
  .. '"reasons":["depression","anxiety"],"prior_treatments":"Two antidepressants and talk therapy.",'
  .. '"message":"I would like to know whether infusion treatment could help me.",'
  .. '"sms_consent":true,"privacy_acknowledged":true,"is_adult":true}'
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

function init(args)
  area = args[1]
  local per_thread = tonumber(args[2])
  next_number = thread_index * per_thread
  last_number = next_number + per_thread
  statuses = {}
  references = {}
end

function request()
  local k = next_number
  if k >= last_number or k >= 8000000 then
    error("out of unique phone numbers: raise the numbers per thread")
  end
  next_number = k + 1
  local phone = string.format("+1%s%03d%04d", area, 200 + math.floor(k / 10000), k % 10000)
  local email = string.format("load.%s.%d@example.com", area, k)
  return wrk.format("POST", nil, headers, string.format(body_format, phone, email))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local reference = body:match('"reference"%s*:%s*"([%w%-]+)"')
    if reference then
      references[#references + 1] = reference
    end
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(assert(os.getenv("BENCH_INTAKE_RESULT"), "set BENCH_INTAKE_RESULT"), "w"))
  out:write(string.format("summary duration_us %d\n", summary.duration))
  out:write(string.format("summary requests %d\n", summary.requests))
  out:write(string.format("summary bytes %d\n", summary.bytes))
  for _, name in ipairs({ "connect", "read", "write", "status", "timeout" }) do
    out:write(string.format("summary errors_%s %d\n", name, summary.errors[name]))
  end
  -- The latency quantiles, in hundredths of a percent: every 0.1 % up to 99 %, then every 0.01 %, so
  -- that bench/intake.py can merge runs (wrk 4.1 has no cheap way to hand over its whole histogram).
  for hundredths = 10, 10000, 10 do
    if hundredths > 9900 then
      for fine = hundredths - 9, hundredths do
        out:write(string.format("quantile %d %d\n", fine, latency:percentile(fine / 100)))
      end
    else
      out:write(string.format("quantile %d %d\n", hundredths, latency:percentile(hundredths / 100)))
    end
  end
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      out:write(string.format("status %d %d\n", code, count))
    end
    for _, reference in ipairs(thread:get("references")) do
      out:write("reference " .. reference .. "\n")
    end
  end
  out:close()
end
