--[[
  Each queue's size and head (the oldest job: Resque pushes right, pops left, so LINDEX 0),
  without scanning: the head's `enqueued_at` when its payload carries one (ActiveJob's do),
  and when this head payload was first seen, remembered in a small hash.

  Bounded work per queue whatever the payload: a head longer than 2 x ARGV[3] bytes is looked at
  only in its first and last ARGV[3] bytes (ActiveJob writes `enqueued_at` after the arguments,
  so a big job has it near the end), and identified by its length and those two ends, not by a
  hash of the whole (which took ~1 s on a 50 MB head, on every scrape). Redis still copies the
  head once into the script (no command reads part of a list element), so a head that is certainly
  large (see headTooLarge) is not read at all. A key of the wrong type is reported, not fatal.

  KEYS[1] queues           the queues set
  KEYS[2] heads            resque-ts:heads (queue -> `<sha1 of head>|<first seen ms>`)
  ARGV[1] queuePrefix      the queue key prefix (`<ns>:queue:`)
  ARGV[2] readOnly         '1' to remember nothing (a read-only reader: first-seen times are read, never written)
  ARGV[3] edge             the bytes looked at from each end of a long head
  ARGV[4] readLimit        a head whose node is certainly longer than this many bytes is not read (its age is unknown)

  RETURNS { nowMs ...head }
  GROUP head[5] queue size enqueuedAt firstSeenMs problem
  per queue: name, size, enqueued_at text or '', first seen ms or '', problem or ''
  (a problem with a size > 0: the head was not read).
  The heads hash keeps one field per non-empty queue in `queues`; others are dropped here.
]]
local time = redis.call('TIME')
local now = time[1] .. string.format('%03d', math.floor(tonumber(time[2]) / 1000))
local remember = ARGV[2] ~= '1'
local edge = tonumber(ARGV[3])
-- Reading a list element copies all of it (a 50 MB head took 1-2 s of Redis time), and no
-- command reads part of one. MEMORY USAGE with one sample costs O(1): about the head node's
-- size times the number of nodes, and there are at most `size` nodes, so usage / size is a lower
-- bound of the head node's size. Above ARGV[4] the head is certainly large: it is not read.
local function headTooLarge(key, size)
  local usage = redis.pcall('MEMORY', 'USAGE', key, 'SAMPLES', '1')
  return type(usage) == 'number' and usage / size > tonumber(ARGV[4])
end
local names = redis.pcall('SMEMBERS', KEYS[1])
if type(names) == 'table' and names.err then return { now, '', 0, '', '', names.err } end
local out = { now }
local kept = {}
for _, q in ipairs(names) do
  local size = redis.pcall('LLEN', ARGV[1] .. q)
  local enqueued, first, problem = '', '', ''
  if type(size) == 'table' and size.err then
    problem, size = size.err, 0
  elseif size > 0 and headTooLarge(ARGV[1] .. q, size) then
    problem = 'head too large to read'
  elseif size > 0 then
    local head = redis.call('LINDEX', ARGV[1] .. q, 0) or ''
    local sample, identity = head, head
    if #head > 2 * edge then
      sample = string.sub(head, 1, edge) .. string.sub(head, -edge)
      identity = #head .. '|' .. sample
    end
    enqueued = string.match(sample, '"enqueued_at"%s*:%s*"([^"]*)"') or string.match(sample, '"enqueued_at"%s*:%s*([%d%.]+)') or ''
    local digest = redis.sha1hex(identity)
    local stored = redis.pcall('HGET', KEYS[2], q)
    if type(stored) == 'string' and string.sub(stored, 1, 40) == digest then
      first = string.sub(stored, 42)
    else
      first = now
      if remember then redis.pcall('HSET', KEYS[2], q, digest .. '|' .. now) end
    end
    kept[q] = true
  end
  out[#out + 1] = q
  out[#out + 1] = size
  out[#out + 1] = enqueued
  out[#out + 1] = first
  out[#out + 1] = problem
end
if remember then
  local known = redis.pcall('HKEYS', KEYS[2])
  if type(known) ~= 'table' or known.err then known = {} end
  for _, q in ipairs(known) do
    if not kept[q] then redis.pcall('HDEL', KEYS[2], q) end
  end
end
return out
