-- A registration rush for wrk: every request is a different reader (its own API token),
-- registering for one seat. Tokens come from the file named by the TOKENS environment
-- variable, one per line; wrk's threads take every n-th token, and a thread stops when
-- its tokens run out, so no reader registers twice.
-- Usage: TOKENS=tokens.txt EVENT=12 NTHREADS=2 wrk -t2 -c64 -d5s -s rush.lua http://host:port

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("NTHREADS"))
  local event = os.getenv("EVENT")
  path = "/api/v1/events/" .. event .. "/registrations"
  body = '{"party_size": 1}'
  tokens = {}
  local index = 0
  for line in io.lines(os.getenv("TOKENS")) do
    if index % nthreads == id then
      table.insert(tokens, line)
    end
    index = index + 1
  end
  next_token = 1
  sent = 0
end

function request()
  local token = tokens[next_token]
  if token == nil then
    -- Out of readers: ask for /healthz until wrk notices the stop (not counted below).
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  next_token = next_token + 1
  sent = sent + 1
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function done(summary, latency, requests)
  local sent_total = 0
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
  end
  io.write(string.format(
    "RESULT requests=%d sent=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, sent_total, summary.duration, summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
