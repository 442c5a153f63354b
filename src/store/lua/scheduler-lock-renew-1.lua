--[[
  resque-scheduler's leader lock, locked? (Resilient): if the value is ours, extend the TTL and
  check again. Ruby calls it once per poll; we also call it between promotion batches.

  KEYS[1] lock             NS:NS:[PREFIX:]resque_scheduler_master_lock
  ARGV[1] value            our value "host:pid"
  ARGV[2] timeout          in seconds (LOCK_TIMEOUT)

  Returns 1 when we hold it (renewed), else 0.
  RETURNS held
]]
if redis.call('GET', KEYS[1]) == ARGV[1]
then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))

  if redis.call('GET', KEYS[1]) == ARGV[1]
  then
    return 1
  end
end

return 0
