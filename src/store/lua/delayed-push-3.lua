--[[
  Store one delayed job, atomically: resque-scheduler's delayed_push sends these three commands
  one by one, so a crash between them leaves an item that is never promoted or never removable.

  KEYS[1] delayed          delayed:<ts>
  KEYS[2] timestamps       timestamps:<item>
  KEYS[3] schedule         delayed_queue_schedule
  ARGV[1] item             exact JSON
  ARGV[2] member           delayed:<ts> (the un-namespaced set member)
  ARGV[3] ts

  RETURNS nothing
]]
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[3])
