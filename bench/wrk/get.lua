-- GETs with the same summary line as rush.lua, for /healthz and the reader pages.
-- With TOKENS (a file of API tokens, one per line) each request carries the next token,
-- round and round, as readers reading their own data through the API would.
-- Usage: [TOKENS=tokens.txt] wrk -t2 -c64 -d5s -s get.lua http://host:port/path

local token_file = os.getenv("TOKENS")

if token_file then
  function init(args)
    tokens = {}
    for line in io.lines(token_file) do
      table.insert(tokens, line)
    end
    next_token = 1
  end

  function request()
    local token = tokens[next_token]
    next_token = next_token % #tokens + 1
    return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. token})
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d sent=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
