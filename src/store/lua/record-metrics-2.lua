--[[
  Per-class metrics written apart from a reserve cycle (a master recording the jobs of a worker
  process it killed or that died). One call per dead process, not per job.

  KEYS[1] metricsTotals    resque-ts:metrics:totals
  KEYS[2] metricsClasses   resque-ts:metrics:classes
  ARGV[1..] metrics        the metrics block described in _metrics.lua

  RETURNS done
]]
-- #include _metrics.lua

recordMetrics(KEYS[1], KEYS[2], 1)
return 1
