--[[
  GET for views, bounded: STRLEN first, so a long value is never copied whole (GETRANGE reads its
  first limit bytes, marked `(too large to show: <n> bytes) ...`, not JSON); a key of the wrong
  type reads as `(unreadable: <error>)`; a missing key as false (nil).

  KEYS[1..] key           the string keys
  ARGV[1] limit            the byte limit per value

  Returns one value per key, in order.
  RETURNS { ...value }
]]
local limit = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.pcall('STRLEN', key)
  if type(n) == 'table' and n.err then
    out[i] = '(unreadable: ' .. n.err .. ')'
  elseif n == 0 then
    out[i] = redis.call('EXISTS', key) == 1 and '' or false
  elseif n > limit then
    out[i] = '(too large to show: ' .. n .. ' bytes) ' .. redis.call('GETRANGE', key, 0, limit - 1)
  else
    out[i] = redis.call('GET', key)
  end
end
return out
