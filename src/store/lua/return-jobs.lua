--[[
  Put a worker's unfinished jobs back at the head of their queues, in the order it took them,
  atomically. An entry goes back only if this call removes it from the in-flight list, so two
  processes recovering the same dead worker never requeue a job twice.

  KEYS[1] inflight:<id>  KEYS[2] recoveries  KEYS[3] failed  KEYS[4] queues (the set)
  KEYS[5] worker:<id>    (shows the oldest job still in flight, as the reserve script keeps it)
  KEYS[6..] queue:<q>    one per entry, in the entries' order

  ARGV[1] counted: 1 when the worker died with these jobs (each recovery counts toward poison),
          0 when it handed them back on purpose (shutdown, TERM)
  ARGV[2] recovery limit (a job counted this many times goes to the failed list instead)
  ARGV[3] seconds the recovery counts live after the last recovery
  ARGV[4..] per entry: in-flight entry, raw payload, queue name, poison failure record

  Returns { requeued, poisoned }.
]]
local counted = ARGV[1] == '1'
local limit = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local n = #KEYS - 5
local requeued, poisoned = 0, 0
-- Last entry first: LPUSH then leaves the first-taken job at the very head.
for i = n, 1, -1 do
  local a = 4 + (i - 1) * 4
  local entry, payload, queue, poison = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  if redis.call('LREM', KEYS[1], 1, entry) == 1 then
    local field = redis.sha1hex(payload)
    local times = 0
    if counted then
      times = redis.call('HINCRBY', KEYS[2], field, 1)
      redis.call('EXPIRE', KEYS[2], ttl)
    end
    if counted and times >= limit then
      redis.call('HDEL', KEYS[2], field)
      redis.call('RPUSH', KEYS[3], poison)
      poisoned = poisoned + 1
    else
      redis.call('SADD', KEYS[4], queue)
      redis.call('LPUSH', KEYS[5 + i], payload)
      requeued = requeued + 1
    end
  end
end
local oldest = redis.call('LINDEX', KEYS[1], 0)
if oldest then
  redis.call('SET', KEYS[5], oldest)
else
  redis.call('DEL', KEYS[5])
end
return { requeued, poisoned }
