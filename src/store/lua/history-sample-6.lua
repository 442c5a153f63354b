--[[
  One history point from stock's counters, appended at most once per second (and once per minute
  to the per-minute list), however many dashboards sample at once: the check and the append are
  one atomic script, so the last point's second is the guard (no lock key needed).

  KEYS[1] processed        stat:processed
  KEYS[2] failedCount      stat:failed
  KEYS[3] queues           the queues set
  KEYS[4] failed           the failed list
  KEYS[5] seconds          resque-ts:history:s
  KEYS[6] minutes          resque-ts:history:m
  ARGV[1] queuePrefix      the queue key prefix (`<ns>:queue:`)
  ARGV[2] secondPoints     per-second points kept
  ARGV[3] minutePoints     per-minute points kept

  A point is `<ms> <processed> <failed> <queued> <failed list size>`; appended is 0/1.
  RETURNS { appended point }
]]
local now = redis.call('TIME')
local ms = now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000))
local second = tonumber(now[1])
local last = redis.call('LINDEX', KEYS[5], -1)
if last and math.floor(tonumber(string.match(last, '^(%d+)')) / 1000) >= second then return { 0, last } end

local queued = 0
for _, q in ipairs(redis.call('SMEMBERS', KEYS[3])) do queued = queued + redis.call('LLEN', ARGV[1] .. q) end
local point = table.concat({ ms, redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0', queued, redis.call('LLEN', KEYS[4]) }, ' ')
redis.call('RPUSH', KEYS[5], point)
redis.call('LTRIM', KEYS[5], -tonumber(ARGV[2]), -1)
local lastMinute = redis.call('LINDEX', KEYS[6], -1)
if not lastMinute or math.floor(tonumber(string.match(lastMinute, '^(%d+)')) / 60000) < math.floor(second / 60) then
  redis.call('RPUSH', KEYS[6], point)
  redis.call('LTRIM', KEYS[6], -tonumber(ARGV[3]), -1)
end
return { 1, point }
