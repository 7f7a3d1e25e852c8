-- wrk script: every request is a POST of one JSON body from a file (one body per line).
--   wrk -t2 -c16 -d20s --latency -H "Authorization: Bearer TOKEN" -s bench/create.lua URL -- FILE PATH PART THREADS
-- PATH is where to post (/api/v1/contacts). PART is "measure" (the first 80% of the file) or
-- "warmup" (the last 20%), so warm-up and measurement never send the same body; THREADS is wrk's
-- -t. Within its part, each thread walks its own slice in order, so no body is sent twice unless a
-- slice runs out (then it starts over and the summary counts the restarts).
-- Prints "BENCH_JSON {...}" at the end like random-path.lua, plus the answers' status codes and how
-- many creates the duplicate check flagged (a Clientele-Duplicates header).

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  table.insert(threads, thread)
end

function init(args)
  local file, part, nthreads = args[1], args[3] or "measure", tonumber(args[4] or "2")
  path = args[2] or "/api/v1/contacts"
  if file == nil then
    error("pass the bodies file after --")
  end
  local all = {}
  for line in io.lines(file) do
    if #line > 0 then
      all[#all + 1] = line
    end
  end
  local split = math.floor(#all * 0.8)
  local first, last = 1, split
  if part == "warmup" then
    first, last = split + 1, #all
  end
  local per_thread = math.floor((last - first + 1) / nthreads)
  if per_thread < 1 then
    error("not enough bodies in " .. file)
  end
  bodies = {}
  local start = first + (thread_number - 1) * per_thread
  for i = start, start + per_thread - 1 do
    bodies[#bodies + 1] = all[i]
  end
  all = nil
  collectgarbage()
  position = 0
  repeats = 0
  created = 0
  flagged = 0
  other = 0
  other_codes = ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  position = position + 1
  if position > #bodies then
    position = 1
    repeats = repeats + 1
  end
  return wrk.format("POST", path, nil, bodies[position])
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    for name, _ in pairs(headers) do
      if string.lower(name) == "clientele-duplicates" then
        flagged = flagged + 1
      end
    end
  else
    other = other + 1
    if #other_codes < 200 then
      other_codes = other_codes .. status .. ":" .. string.sub(body or "", 1, 120):gsub('[%c"\\]', " ") .. " | "
    end
  end
end

function done(summary, latency, requests)
  local c, f, o, r, codes = 0, 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    c = c + (thread:get("created") or 0)
    f = f + (thread:get("flagged") or 0)
    o = o + (thread:get("other") or 0)
    r = r + (thread:get("repeats") or 0)
    codes = codes .. (thread:get("other_codes") or "")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"latency_mean_us":%.1f,"latency_p50_us":%d,' ..
    '"latency_p90_us":%d,"latency_p99_us":%d,"latency_max_us":%d,"created":%d,"duplicates_flagged":%d,' ..
    '"other_status":%d,"slice_restarts":%d,"other_answers":"%s"}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    c, f, o, r, codes))
end
