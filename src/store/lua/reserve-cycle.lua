--[[
  One round trip per worker cycle: record finished jobs, then take up to `want` new ones.

  KEYS[1] inflight:<id>       this worker's taken-but-unfinished jobs (worker:<id>-shaped entries)
  KEYS[2] worker:<id>         stock's "working on" key: the oldest in-flight entry, or absent
  KEYS[3] stat:processed      KEYS[4] stat:processed:<id>
  KEYS[5] stat:failed         KEYS[6] stat:failed:<id>
  KEYS[7] failed              KEYS[8] pause-all-workers
  KEYS[9..] queue:<q>         in priority order

  ARGV[1] done count D, ARGV[2] failure count F, ARGV[3] want (jobs to take)
  ARGV[4 .. 3+D]              in-flight entries of jobs that finished
  then F pairs                (in-flight entry, failure record JSON)
  then one entry prefix per queue key: '{"queue":"q","run_at":"t","payload":'

  Returns { paused (0/1), then per taken job: queue index (1-based), payload, entry-if-rewritten or "" }
]]
local done = tonumber(ARGV[1])
local fails = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local a = 4
for _ = 1, done do
  redis.call('LREM', KEYS[1], 1, ARGV[a])
  a = a + 1
end
for _ = 1, fails do
  redis.call('LREM', KEYS[1], 1, ARGV[a])
  redis.call('RPUSH', KEYS[7], ARGV[a + 1])
  a = a + 2
end
-- Stock counts every attempted job as processed, failed ones too.
if done + fails > 0 then
  redis.call('INCRBY', KEYS[3], done + fails)
  redis.call('INCRBY', KEYS[4], done + fails)
end
if fails > 0 then
  redis.call('INCRBY', KEYS[5], fails)
  redis.call('INCRBY', KEYS[6], fails)
end

local result = { 0 }
local pause = redis.call('GET', KEYS[8])
-- Stock: paused when the value, trimmed and lower-cased, is "true".
if pause and string.lower(string.match(pause, '^%s*(.-)%s*$')) == 'true' then
  result[1] = 1
  want = 0
end

local function readable(payload)
  local ok, decoded = pcall(cjson.decode, payload)
  return ok and type(decoded) == 'table' and type(decoded['class']) == 'string'
end

for q = 9, #KEYS do
  if want <= 0 then break end
  local prefix = ARGV[a + q - 9]
  local jobs = redis.call('LPOP', KEYS[q], want)
  if jobs then
    for _, payload in ipairs(jobs) do
      local entry, rewritten
      if readable(payload) then
        entry = prefix .. payload .. '}'
        rewritten = ''
      else
        -- Keep worker:<id> valid JSON for stock readers; the raw text is kept as a string.
        entry = prefix .. cjson.encode(payload) .. '}'
        rewritten = entry
      end
      redis.call('RPUSH', KEYS[1], entry)
      result[#result + 1] = q - 8
      result[#result + 1] = payload
      result[#result + 1] = rewritten
    end
    want = want - #jobs
  end
end

local oldest = redis.call('LINDEX', KEYS[1], 0)
if oldest then
  redis.call('SET', KEYS[2], oldest)
else
  redis.call('DEL', KEYS[2])
end
return result
