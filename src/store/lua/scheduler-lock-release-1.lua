--[[
  Release the leader lock only if it is still ours. Ruby's release is locked? then DEL in two
  round trips, which can delete a lock another scheduler took in between; this cannot.

  KEYS[1] lock             NS:NS:[PREFIX:]resque_scheduler_master_lock
  ARGV[1] value            our value "host:pid"

  Returns 1 when it was ours and is gone, else 0.
  RETURNS released
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
