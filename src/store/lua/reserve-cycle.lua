--[[
  One round trip per worker cycle: record finished jobs, then take up to `want` new ones.

  KEYS[1] inflight            inflight:<id>: this worker's taken-but-unfinished jobs (worker:<id>-shaped entries)
  KEYS[2] worker              worker:<id>: stock's "working on" key (see _working-on.lua)
  KEYS[3] processed           stat:processed
  KEYS[4] workerProcessed     stat:processed:<id>
  KEYS[5] failedCount         stat:failed
  KEYS[6] workerFailed        stat:failed:<id>
  KEYS[7] failed              the failed list
  KEYS[8] pauseAll            pause-all-workers
  KEYS[9] recoveries          sha1(payload) -> times a worker died running it (see return-jobs.lua)
  KEYS[10] queues             the queues set (for retries)
  KEYS[11] delayedSchedule    delayed_queue_schedule (for retries)
  KEYS[12] metricsTotals      resque-ts:metrics:totals
  KEYS[13] metricsClasses     resque-ts:metrics:classes
  KEYS[14] workers            the workers set: a worker not in it (pruned as dead while it was
                              frozen, or Redis restarted empty) takes nothing until it registers again
  KEYS[15..] queue            queue:<q>, in priority order

  ARGV[1] doneCount           D
  ARGV[2] failureCount        F
  ARGV[3] want                jobs to take
  ARGV[4] clearedCount        C
  ARGV[5] id                  this worker's id (for KEYS[14])
  ARGV[6..] lists             then, in order:
    D in-flight entries of jobs that finished
    F failure groups:
  GROUP failure[11] entry record count kind list register value expiry failureKey failureEntry failureTtl
                              in-flight entry, failure record JSON ('' = none), then the retry:
                              attempt-count key ('' = the job does not retry), kind, and
                                'fail':  -, -, -, -                         (record it; drop the count)
                                'now':   queue:<q>, q, payload, ttl         (push it back at once)
                                'later': delayed:<ts>, timestamps:<item>, item, ts .. ' ' .. ttl
                              then resque-retry's failure-<count> key ('' = leave it), its entry
                              and seconds: an entry is SET with that expiry, no entry DELetes it
                              (MultipleWithRetrySuppression#save while retrying / on giving up)
                              Retry keys are named in ARGV: they vary per job, and the script's
                              keys share one namespace (no cluster slot spread) like every key here.
    C attempt-count keys      of retrying jobs that finished well (resque-retry's after_perform: DEL)
    per-class metrics         (see _metrics.lua: minute key, ttl, cap, count, groups); count 0 most cycles
    one entry prefix per queue key: '{"queue":"q","run_at":"t","payload":'

  RETURNS { paused solo unregistered ...taken }
  GROUP taken[4] queueIndex payload rewritten problem
  paused, solo, unregistered: 0/1; then per taken job: queue index (1-based), payload, entry-if-rewritten or "",
  problem or "". A payload that is not valid UTF-8 cannot cross to
  the worker intact (clients decode replies as UTF-8), so it is handed over and kept in flight
  with each byte above 0x7F written as the text \xNN, and problem = "invalid-utf8".
  solo = 1: the one job taken is a suspect (a worker died running it) and must run alone, so
  that if it kills this process too, it alone is counted.

  A finished job whose entry is no longer in flight was recovered by another worker (this one
  was pruned as dead, its list handed back): that job runs again there and is recorded there, so
  here it is neither counted nor recorded, nor retried.
]]
-- #include _metrics.lua
-- #include _working-on.lua

-- The payload inside an in-flight entry: {"queue":"q","run_at":"t","payload":<payload>}. A
-- quote inside a JSON string is escaped, so the first '","payload":' is the member's.
local function entryPayload(entry)
  local _, stop = string.find(entry, '","payload":', 1, true)
  local payload = string.sub(entry, stop + 1, -2)
  if string.sub(payload, 1, 1) == '"' then payload = cjson.decode(payload) end
  return payload
end

local suspects = redis.call('HLEN', KEYS[9]) > 0
local done = tonumber(ARGV[1])
local fails = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local cleared = tonumber(ARGV[4])
local a = LISTS_ARGV_FROM
-- Jobs recorded here: those still in flight (see the header on recovered ones).
local recordedDone, recordedFails = 0, 0
for _ = 1, done do
  if redis.call('LREM', KEYS[1], 1, ARGV[a]) == 1 then
    recordedDone = recordedDone + 1
    -- It finished: it was not the job that killed a worker.
    if suspects then redis.call('HDEL', KEYS[9], redis.sha1hex(entryPayload(ARGV[a]))) end
  end
  a = a + 1
end
-- A failed run leaves in-flight in the same step as it is recorded or retried: it is never lost.
-- One recovered by another worker meanwhile is left to its run there (see the header).
local function recordFailure(g)
  if ARGV[g + 1] ~= '' then redis.call('RPUSH', KEYS[7], ARGV[g + 1]) end
  local count, kind = ARGV[g + 2], ARGV[g + 3]
  if kind == 'now' then
    redis.call('SADD', KEYS[10], ARGV[g + 5])
    redis.call('RPUSH', ARGV[g + 4], ARGV[g + 6])
    redis.call('SETNX', count, -1)
    redis.call('EXPIRE', count, ARGV[g + 7])
  elseif kind == 'later' then
    -- resque-scheduler's delayed_push (see delayed-push-3.lua).
    local ts, ttl = string.match(ARGV[g + 7], '^(%d+) (%d+)$')
    redis.call('RPUSH', ARGV[g + 4], ARGV[g + 6])
    redis.call('SADD', ARGV[g + 5], 'delayed:' .. ts)
    redis.call('ZADD', KEYS[11], ts, ts)
    redis.call('SETNX', count, -1)
    redis.call('EXPIRE', count, ttl)
  elseif count ~= '' then
    redis.call('DEL', count)
  end
  if ARGV[g + 8] ~= '' then
    if ARGV[g + 9] ~= '' then redis.call('SET', ARGV[g + 8], ARGV[g + 9], 'EX', ARGV[g + 10])
    else redis.call('DEL', ARGV[g + 8]) end
  end
end
for _ = 1, fails do
  if redis.call('LREM', KEYS[1], 1, ARGV[a]) == 1 then
    recordedFails = recordedFails + 1
    if suspects then redis.call('HDEL', KEYS[9], redis.sha1hex(entryPayload(ARGV[a]))) end
    recordFailure(a)
  end
  a = a + FAILURE_GROUP_SIZE
end
for _ = 1, cleared do
  redis.call('DEL', ARGV[a])
  a = a + 1
end
a = recordMetrics(KEYS[12], KEYS[13], a)
-- Stock counts every attempted job as processed, failed ones too.
if recordedDone + recordedFails > 0 then
  redis.call('INCRBY', KEYS[3], recordedDone + recordedFails)
  redis.call('INCRBY', KEYS[4], recordedDone + recordedFails)
end
if recordedFails > 0 then
  redis.call('INCRBY', KEYS[5], recordedFails)
  redis.call('INCRBY', KEYS[6], recordedFails)
end

local result = { 0, 0, 0 }
if want > 0 and redis.call('SISMEMBER', KEYS[14], ARGV[5]) == 0 then
  result[3] = 1
  want = 0
end
local pause = redis.call('GET', KEYS[8])
-- Stock: paused when the value, trimmed and lower-cased, is "true".
if pause and string.lower(string.match(pause, '^%s*(.-)%s*$')) == 'true' then
  result[1] = 1
  want = 0
end

local function validUtf8(s)
  if not string.find(s, '[\128-\255]') then return true end
  local i, n = 1, #s
  while i <= n do
    local c = string.byte(s, i)
    local len, lo, hi = 0, 0x80, 0xBF
    if c < 0x80 then len = 1
    elseif c >= 0xC2 and c <= 0xDF then len = 2
    elseif c >= 0xE0 and c <= 0xEF then
      len = 3
      if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
    elseif c >= 0xF0 and c <= 0xF4 then
      len = 4
      if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
    else return false end
    if i + len - 1 > n then return false end
    for k = 1, len - 1 do
      local b = string.byte(s, i + k)
      local low, high = 0x80, 0xBF
      if k == 1 then low, high = lo, hi end
      if b < low or b > high then return false end
    end
    i = i + len
  end
  return true
end

local function readable(payload)
  local ok, decoded = pcall(cjson.decode, payload)
  return ok and type(decoded) == 'table' and type(decoded['class']) == 'string'
end

-- Other jobs of this worker still running: a suspect must wait for a worker with none. Only
-- asked when there are suspects, to keep the common cycle one command shorter.
local busy = suspects and redis.call('LLEN', KEYS[1]) > 0
-- A suspect this worker already holds (taken by a cycle sent alongside this one) must run alone:
-- take nothing until it ends.
if busy then
  for _, held in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    if redis.call('HEXISTS', KEYS[9], redis.sha1hex(entryPayload(held))) == 1 then
      want = 0
      break
    end
  end
end
-- Taken entries go in-flight with one RPUSH (per 1,000, under Lua's argument limit), not one per job.
local entries = {}
local function take(q, payload)
  local prefix = ARGV[a + q - QUEUE_KEYS_FROM]
  local entry, rewritten
  local problem = ''
  if not validUtf8(payload) then
    payload = string.gsub(payload, '[\128-\255]', function(c) return string.format('\\x%02X', string.byte(c)) end)
    entry = prefix .. cjson.encode(payload) .. '}'
    rewritten = entry
    problem = 'invalid-utf8'
  elseif readable(payload) then
    entry = prefix .. payload .. '}'
    rewritten = ''
  else
    -- Keep worker:<id> valid JSON for stock readers; the raw text is kept as a string.
    entry = prefix .. cjson.encode(payload) .. '}'
    rewritten = entry
  end
  entries[#entries + 1] = entry
  result[#result + 1] = q - QUEUE_KEYS_FROM + 1
  result[#result + 1] = payload
  result[#result + 1] = rewritten
  result[#result + 1] = problem
end
local function giveBack(q, jobs, from)
  for k = #jobs, from, -1 do redis.call('LPUSH', KEYS[q], jobs[k]) end
end

for q = QUEUE_KEYS_FROM, #KEYS do
  if want <= 0 then break end
  local jobs = redis.call('LPOP', KEYS[q], want)
  if jobs then
    want = want - #jobs
    for j, payload in ipairs(jobs) do
      if suspects and redis.call('HEXISTS', KEYS[9], redis.sha1hex(payload)) == 1 then
        if busy then
          giveBack(q, jobs, j)
        else
          take(q, payload)
          result[2] = 1
          giveBack(q, jobs, j + 1)
        end
        want = 0
        break
      end
      take(q, payload)
      busy = true
    end
  end
end

for i = 1, #entries, 1000 do
  redis.call('RPUSH', KEYS[1], unpack(entries, i, math.min(i + 999, #entries)))
end

showOldestInFlight(KEYS[1], KEYS[2])
return result
