-- Shared by the wrk scripts of bench/speed.sh: counts answers by status on every thread and
-- prints one machine-readable line at the end:
--   RESULT <requests/s> <p50 ms> <p99 ms> <2xx> <other>
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  ok, other = 0, 0
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local good, bad = 0, 0
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    bad = bad + t:get("other")
  end
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, good, bad))
end

-- One line per entry of the file named by the environment variable `name`.
function lines_of(name)
  local list = {}
  for line in io.lines(os.getenv(name)) do table.insert(list, line) end
  return list
end
