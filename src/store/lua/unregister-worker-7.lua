--[[
  Remove a worker from the registry and hand back what it was running, atomically, so two
  processes pruning the same dead worker never both record its jobs.

  KEYS[1] workers          the workers set
  KEYS[2] worker           worker:<id>
  KEYS[3] workerStarted    worker:<id>:started
  KEYS[4] heartbeats       workers:heartbeat
  KEYS[5] workerProcessed  stat:processed:<id>
  KEYS[6] workerFailed     stat:failed:<id>
  KEYS[7] inflight         inflight:<id>
  ARGV[1] id               worker id

  Returns the in-flight entries (ours), or stock's single worker:<id> value (a Ruby worker's).
  RETURNS { ...entry }
]]
local entries = redis.call('LRANGE', KEYS[7], 0, -1)
if #entries == 0 then
  local current = redis.call('GET', KEYS[2])
  if current and current ~= '' then entries = { current } end
end
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[5], KEYS[6], KEYS[7])
redis.call('HDEL', KEYS[4], ARGV[1])
return entries
