--[[
  Stock's "working on" key, worker:<id>, shows the oldest entry of the worker's in-flight list, or
  is absent when nothing is in flight: stock readers (resque-web, `Resque.working`) see one job a
  worker, and the oldest is the one a stock prune would report. Every script that changes an
  in-flight list ends with this (reserve-cycle.lua, return-jobs.lua). Its one TypeScript copy is
  restoreWorkingOn in src/store/workers.ts (after a re-registration, nothing to delete then).
]]
local function showOldestInFlight(inflight, worker)
  local oldest = redis.call('LINDEX', inflight, 0)
  if oldest then
    redis.call('SET', worker, oldest)
  else
    redis.call('DEL', worker)
  end
end
