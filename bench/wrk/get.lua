-- Plain GETs with the same summary line as rush.lua, for /healthz and the reader pages.
-- Usage: wrk -t2 -c64 -d5s -s get.lua http://host:port/path

function done(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d sent=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
