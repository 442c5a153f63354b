--[[
  Promote one batch of a due timestamp, atomically (resque-scheduler's per-batch WATCH/MULTI,
  without its gaps). The caller read the head of delayed:<ts> and sends those items back; if the
  head changed since (another scheduler, a removal), nothing happens and it reads again. So an
  item is pushed exactly once and never dropped unpushed, whoever else touches the list.

  KEYS[1] delayed          delayed:<ts>
  KEYS[2] schedule         delayed_queue_schedule
  KEYS[3] queues           the queues set
  KEYS[4..] itemKey        per item, two keys:
  GROUP itemKey[2] timestamps queue
            timestamps:<item>, then queue:<q> (any key when not pushed)

  ARGV[1] ts
  ARGV[2] member           delayed:<ts> (the un-namespaced timestamps member)
  ARGV[3..] items          per item, four values:
  GROUP item[4] item mode queueName payload
            item (exact bytes), mode, queue name, payload
            mode "push": SADD queues + RPUSH queue:<q> payload (Resque.push)
            mode "take": removed only; the caller enqueues it with the job's hooks
            mode "drop": removed only (undecodable, or no queue: Ruby loses it the same way)

  With no items it only cleans up: an empty list's timestamp leaves the schedule.
  Returns the number of items removed, or -1 when the head was not what the caller read.
  RETURNS removed
]]
local n = (#KEYS - ITEM_KEY_KEYS_FROM + 1) / ITEM_KEY_GROUP_SIZE
if n > 0 then
  local head = redis.call('LRANGE', KEYS[1], 0, n - 1)
  if #head ~= n then return -1 end
  for i = 1, n do
    if head[i] ~= ARGV[ITEMS_ARGV_FROM + (i - 1) * ITEM_GROUP_SIZE] then return -1 end
  end
  for i = 1, n do
    local a = ITEMS_ARGV_FROM + (i - 1) * ITEM_GROUP_SIZE
    if ARGV[a + 1] == 'push' then
      redis.call('SADD', KEYS[3], ARGV[a + 2])
      redis.call('RPUSH', KEYS[ITEM_KEY_KEYS_FROM + (i - 1) * ITEM_KEY_GROUP_SIZE + 1], ARGV[a + 3])
    end
  end
  redis.call('LTRIM', KEYS[1], n, -1)
  -- One timestamps member covers every copy at this ts: keep it while a copy is still waiting
  -- (Ruby's SREM here orphans copies in later batches from remove_delayed). Finding a copy scans
  -- the rest of the list, once per item: past 1,000 items that is quadratic (100,000 jobs
  -- due in one second took 15 s of Redis CPU), so a long list gets Ruby's SREM. Its copies are
  -- due and being promoted now; a removal racing that push cannot win reliably anyway.
  local exact = redis.call('LLEN', KEYS[1]) <= 1000
  for i = 1, n do
    local item = ARGV[ITEMS_ARGV_FROM + (i - 1) * ITEM_GROUP_SIZE]
    local left = false
    if exact then
      local ok, pos = pcall(redis.call, 'LPOS', KEYS[1], item)
      left = ok and pos
    end
    if not left then redis.call('SREM', KEYS[ITEM_KEY_KEYS_FROM + (i - 1) * ITEM_KEY_GROUP_SIZE], ARGV[2]) end
  end
end
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return n
