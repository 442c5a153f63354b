--[[
  LRANGE for views, bounded in what reaches the caller: an element longer than the limit comes
  back as `(too large to show: <n> bytes) <its first limit bytes>` (not JSON, so every reader
  shows it as unreadable), and a key of the wrong type comes back as its error, not a failure.
  Redis still copies a long element once inside the script (no command reads part of a list
  element); the reply, and so the network and the reader, stay bounded.

  KEYS[1] list             a list
  ARGV[1] start
  ARGV[2] stop             the caller bounds stop - start
  ARGV[3] limit            the byte limit per element

  Returns { '' or the error text, element... }.
  RETURNS { problem ...item }
]]
local items = redis.pcall('LRANGE', KEYS[1], ARGV[1], ARGV[2])
if type(items) == 'table' and items.err then return { items.err } end
local limit = tonumber(ARGV[3])
local out = { '' }
for i, v in ipairs(items) do
  if #v > limit then v = '(too large to show: ' .. #v .. ' bytes) ' .. string.sub(v, 1, limit) end
  out[i + 1] = v
end
return out
