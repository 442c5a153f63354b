--[[
  A worker process's beat: refresh its process record and collect kill requests, one round trip.

  KEYS[1] process          resque-ts:process:<id>
  KEYS[2] kill             resque-ts:kill:<id>
  ARGV[1] record           the record (JSON)
  ARGV[2] ttl              its TTL in seconds

  Returns the kill requests (tokens, or "*" for every job), which are consumed.
  RETURNS { ...kill }
]]
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local kills = redis.call('SMEMBERS', KEYS[2])
if #kills > 0 then redis.call('DEL', KEYS[2]) end
return kills
