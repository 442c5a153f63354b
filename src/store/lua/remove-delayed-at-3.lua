--[[
  Remove every copy of one delayed item at one timestamp (remove_delayed_job_from_timestamp),
  with its clean-up, atomically.

  KEYS[1] timestamps       timestamps:<item>
  KEYS[2] delayed          delayed:<ts>
  KEYS[3] schedule         delayed_queue_schedule
  ARGV[1] item             exact JSON
  ARGV[2] member           delayed:<ts> (set member)
  ARGV[3] ts

  Returns how many copies went.
  RETURNS removed
]]
redis.call('SREM', KEYS[1], ARGV[2])
local removed = redis.call('LREM', KEYS[2], 0, ARGV[1])
if redis.call('LLEN', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[3])
end
return removed
