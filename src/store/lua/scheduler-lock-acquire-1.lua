--[[
  resque-scheduler's leader lock, acquire! (Resilient): SETNX, then EXPIRE if it was set. Same
  algorithm as the gem's script; the timeout is an argument here, not interpolated text.

  KEYS[1] lock             NS:NS:[PREFIX:]resque_scheduler_master_lock
  ARGV[1] value            our value "host:pid"
  ARGV[2] timeout          in seconds (LOCK_TIMEOUT)

  Returns 1 when we took it, else 0.
  RETURNS taken
]]
if redis.call('SETNX', KEYS[1], ARGV[1]) == 1
then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
else
  return 0
end
