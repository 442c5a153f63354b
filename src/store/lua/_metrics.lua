--[[
  Shared by reserve-cycle.lua and record-metrics-2.lua (gen-scripts.mjs splices it in where a
  script says `-- #include _metrics.lua`; files starting with _ are not scripts themselves).

  recordMetrics(totals, classes, a) reads, from ARGV[a], a metrics block:
  GROUP metrics[4] minuteKey ttl classCap classCount
    minute key (resque-ts:metrics:m:<minute>), its ttl, the class cap, then C, then C groups of
  GROUP metricsClass[6] name runs failures totalMs longestMs bucketCount
    class name, runs, failures, total ms, longest run ms (-1: unknown), B, then B pairs
  GROUP bucket[2] index count
  and adds them into the minute hash and the totals hash, fields `<class>|r`, `|f`, `|ms`, `|b<i>`,
  and keeps the longest run in `|x` (so a percentile estimated from the buckets can be capped by it).
  A class not in the capped classes set, once the set is full, is counted as "(other)".
  Returns the ARGV index after the metrics.
]]
local function recordMetrics(totals, classes, a)
  local minute, ttl, cap, count = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  a = a + METRICS_GROUP_SIZE
  for _ = 1, count do
    local name = ARGV[a]
    local runs, fails, ms, longest, nb = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
    if redis.call('SISMEMBER', classes, name) == 0 then
      if redis.call('SCARD', classes) >= cap then name = '(other)' end
      redis.call('SADD', classes, name)
    end
    for _, key in ipairs({ minute, totals }) do
      redis.call('HINCRBY', key, name .. '|r', runs)
      if fails ~= '0' then redis.call('HINCRBY', key, name .. '|f', fails) end
      redis.call('HINCRBY', key, name .. '|ms', ms)
      if longest >= 0 then
        local was = tonumber(redis.call('HGET', key, name .. '|x'))
        if not was or longest > was then redis.call('HSET', key, name .. '|x', longest) end
      end
      for j = 0, nb - 1 do
        redis.call('HINCRBY', key, name .. '|b' .. ARGV[a + METRICS_CLASS_GROUP_SIZE + BUCKET_GROUP_SIZE * j], ARGV[a + METRICS_CLASS_GROUP_SIZE + 1 + BUCKET_GROUP_SIZE * j])
      end
    end
    a = a + METRICS_CLASS_GROUP_SIZE + BUCKET_GROUP_SIZE * nb
  end
  if count > 0 then redis.call('EXPIRE', minute, ttl) end
  return a
end
