--[[
  Start one run of a job that retries: resque-retry's before_perform_retry (SETNX -1, INCR, and
  EXPIRE when a TTL is set), in one step. The count is 0 on the first run, n on the n-th retry.

  KEYS[1] count            resque-retry:<Class>[:<sha1 of args>]
  ARGV[1] ttl              seconds the count lives (the longest wait for the next retry plus expireKeyAfter)

  RETURNS attempt
]]
redis.call('SETNX', KEYS[1], -1)
local attempt = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return attempt
