--[[
  Settle a worker's unfinished jobs, atomically: each goes back to the head of its queue (in the
  order it was taken), or, when charged, counts toward poison, or fails now (a job past its
  deadline). An entry is acted on only if this call removes it from the in-flight list, so two
  processes recovering the same dead worker never requeue or record a job twice.

  KEYS[1] inflight        inflight:<id>
  KEYS[2] recoveries      sha1(payload) -> times a worker died running it
  KEYS[3] failed          the failed list
  KEYS[4] queues          the queues set
  KEYS[5] worker          worker:<id> (see _working-on.lua)
  KEYS[6] processed       stat:processed
  KEYS[7] failedCount     stat:failed
  KEYS[8..] queue         queue:<q>, one per entry, in the entries' order

  ARGV[1] limit           recovery limit (a job counted this many times goes to the failed list instead)
  ARGV[2] ttl             seconds the recovery counts live after the last recovery
  ARGV[3..] jobs          one group per entry:
  GROUP job[5] entry payload queueName mode record
            in-flight entry, raw payload, queue name, mode, record
            mode "0": back to its queue uncounted (handed back on purpose, or a bystander)
            mode "1": counted; at the limit `record` (a PoisonJob failure) replaces the requeue
            mode "2": failed now with `record` (a JobTimeout failure), counted as processed + failed

  RETURNS { requeued poisoned failed }
]]
-- #include _working-on.lua
local limit = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local n = #KEYS - QUEUE_KEYS_FROM + 1
local requeued, poisoned, failed = 0, 0, 0
-- Last entry first: LPUSH then leaves the first-taken job at the very head.
for i = n, 1, -1 do
  local a = JOBS_ARGV_FROM + (i - 1) * JOB_GROUP_SIZE
  local entry, payload, queue, mode, record = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  if redis.call('LREM', KEYS[1], 1, entry) == 1 then
    local field = redis.sha1hex(payload)
    local times = 0
    if mode == '1' then
      times = redis.call('HINCRBY', KEYS[2], field, 1)
      redis.call('EXPIRE', KEYS[2], ttl)
    end
    if mode == '2' then
      redis.call('HDEL', KEYS[2], field)
      redis.call('RPUSH', KEYS[3], record)
      redis.call('INCR', KEYS[6])
      redis.call('INCR', KEYS[7])
      failed = failed + 1
    elseif mode == '1' and times >= limit then
      redis.call('HDEL', KEYS[2], field)
      redis.call('RPUSH', KEYS[3], record)
      poisoned = poisoned + 1
    else
      redis.call('SADD', KEYS[4], queue)
      redis.call('LPUSH', KEYS[QUEUE_KEYS_FROM - 1 + i], payload)
      requeued = requeued + 1
    end
  end
end
showOldestInFlight(KEYS[1], KEYS[5])
return { requeued, poisoned, failed }
