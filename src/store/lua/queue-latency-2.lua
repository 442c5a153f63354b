--[[
  Each queue's size and head (the oldest job: Resque pushes right, pops left, so LINDEX 0),
  without scanning: the head's `enqueued_at` when its payload carries one (ActiveJob's do),
  and when this head payload was first seen, remembered in a small hash.

  KEYS[1] queues   KEYS[2] resque-ts:heads (queue -> `<sha1 of head>|<first seen ms>`)
  ARGV[1] the queue key prefix (`<ns>:queue:`)

  Returns { now ms, then per queue: name, size, enqueued_at text or '', first seen ms or '' }.
  The heads hash keeps one field per non-empty queue in `queues`; others are dropped here.
]]
local time = redis.call('TIME')
local now = time[1] .. string.format('%03d', math.floor(tonumber(time[2]) / 1000))
local out = { now }
local kept = {}
for _, q in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local size = redis.call('LLEN', ARGV[1] .. q)
  local enqueued, first = '', ''
  if size > 0 then
    local head = redis.call('LINDEX', ARGV[1] .. q, 0) or ''
    enqueued = string.match(head, '"enqueued_at"%s*:%s*"([^"]*)"') or string.match(head, '"enqueued_at"%s*:%s*([%d%.]+)') or ''
    local digest = redis.sha1hex(head)
    local stored = redis.call('HGET', KEYS[2], q)
    if stored and string.sub(stored, 1, 40) == digest then
      first = string.sub(stored, 42)
    else
      first = now
      redis.call('HSET', KEYS[2], q, digest .. '|' .. now)
    end
    kept[q] = true
  end
  out[#out + 1] = q
  out[#out + 1] = size
  out[#out + 1] = enqueued
  out[#out + 1] = first
end
for _, q in ipairs(redis.call('HKEYS', KEYS[2])) do
  if not kept[q] then redis.call('HDEL', KEYS[2], q) end
end
return out
