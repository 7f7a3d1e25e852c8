-- wrk script: every request is a GET of a path drawn at random from a file (one path per line; a
-- tab and a label may follow the path, for bench/probe.py).
--   wrk -t2 -c32 -d20s --latency -H "Authorization: Bearer TOKEN" -s bench/random-path.lua URL -- FILE.paths
-- The Authorization header comes from -H (wrk puts it into wrk.headers, which wrk.format uses).
-- At the end it prints one line "BENCH_JSON {...}" with the counts and latency percentiles (µs).

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  local file = args[1]
  if file == nil then
    error("pass the paths file after --")
  end
  paths = {}
  for line in io.lines(file) do
    local path = line:match("^[^\t]+")
    if path ~= nil then
      paths[#paths + 1] = path
    end
  end
  if #paths == 0 then
    error("no paths in " .. file)
  end
  -- Deterministic per thread, so two runs ask the same sequence of questions.
  math.randomseed(1000 + (thread_number or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"latency_mean_us":%.1f,"latency_p50_us":%d,' ..
    '"latency_p90_us":%d,"latency_p99_us":%d,"latency_max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
