--[[
  Clear the earliest timestamps of the delayed schedule, each with its list and its items'
  timestamps: members, so no state is left half-cleared (Ruby's reset_delayed_queue is not atomic).
  Called in batches so one call never blocks Redis for long.

  KEYS[1] schedule         delayed_queue_schedule
  ARGV[1] prefix           namespace prefix ("resque:")
  ARGV[2] memberPrefix     member prefix ("delayed:")
  ARGV[3] timestampsPrefix timestamps key prefix ("resque:timestamps:")
  ARGV[4] batch            timestamps per call

  Returns { items removed, timestamps still scheduled }.
  RETURNS { items left }
]]
local items = 0
for _, ts in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)) do
  local member = ARGV[2] .. ts
  local key = ARGV[1] .. member
  for _, item in ipairs(redis.call('LRANGE', key, 0, -1)) do
    redis.call('SREM', ARGV[3] .. item, member)
    items = items + 1
  end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], ts)
end
return { items, redis.call('ZCARD', KEYS[1]) }
