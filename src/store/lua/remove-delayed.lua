--[[
  Remove every copy of one delayed item at every timestamp (resque-scheduler's remove_delayed_job),
  atomically, and optionally push one payload per removed copy (enqueue_delayed without hooks).

  KEYS[1] timestamps       timestamps:<item>
  KEYS[2] schedule         delayed_queue_schedule
  KEYS[3] queues?          the queues set, only when pushing
  KEYS[4] queue?           queue:<q>, only when pushing
  ARGV[1] prefix           namespace prefix ("resque:"): a timestamps member plus it is the delayed:<ts> key
  ARGV[2] memberPrefix     member prefix ("delayed:")
  ARGV[3] item             exact JSON
  ARGV[4] queueName?       only when pushing
  ARGV[5] payload?         only when pushing

  Returns how many copies went. Unlike Ruby, a timestamp left empty also leaves the schedule,
  so delayed_queue_schedule_size stays true without waiting for a leader's clean-up.
  RETURNS removed
]]
local removed = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. member
  removed = removed + redis.call('LREM', key, 0, ARGV[3])
  redis.call('SREM', KEYS[1], member)
  if redis.call('LLEN', key) == 0 then
    redis.call('ZREM', KEYS[2], string.sub(member, #ARGV[2] + 1))
  end
end
if #KEYS == 4 and removed > 0 then
  redis.call('SADD', KEYS[3], ARGV[4])
  for _ = 1, removed do redis.call('RPUSH', KEYS[4], ARGV[5]) end
end
return removed
