--[[
  HGETALL for views, bounded: at most ARGV[2] fields, and HSTRLEN first so a long value is never
  copied whole (it reads `(too large to show: <n> bytes)`, not JSON); a key of the wrong type comes
  back as its error instead of failing the page.

  KEYS[1] hash             a hash
  ARGV[1] limit            the byte limit per value
  ARGV[2] most             the most fields read

  Returns { '' or the error text, total fields, field, value, field, value, ... }.
  RETURNS { problem total ...field }
  GROUP field[2] name value
]]
local limit, most = tonumber(ARGV[1]), tonumber(ARGV[2])
local total = redis.pcall('HLEN', KEYS[1])
if type(total) == 'table' and total.err then return { total.err, 0 } end
local out = { '', total }
local fields
if total <= most then
  fields = redis.call('HKEYS', KEYS[1])
else
  fields = redis.call('HSCAN', KEYS[1], 0, 'COUNT', most)[2]
  local names = {}
  for i = 1, #fields, 2 do names[#names + 1] = fields[i] end
  fields = names
end
for i, field in ipairs(fields) do
  if i > most then break end
  local n = redis.call('HSTRLEN', KEYS[1], field)
  out[#out + 1] = field
  if n > limit then
    out[#out + 1] = '(too large to show: ' .. n .. ' bytes)'
  else
    out[#out + 1] = redis.call('HGET', KEYS[1], field)
  end
end
return out
