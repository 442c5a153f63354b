# The Ruby side of test/compat/scheduler-race.test.ts: resque-scheduler 5.0's own process and Resque.enqueue_at.
# Usage: ruby test/compat/scheduler-race.rb COMMAND [ARGS...]   (REDIS_URL and RESQUE_NAMESPACE in the env)
#   enqueue_at PREFIX FROM TO T0 SPREAD   RaceJob items with args ["PREFIX-i"], due from T0 to T0 + SPREAD - 1 in write order
#   run                                   Resque::Scheduler.run (RESQUE_SCHEDULER_INTERVAL, LOCK_TIMEOUT from the env)
require "json"
# redis-rb 5 must be loaded before resque-scheduler, or Redis::NoScriptError is undefined (reference §6).
require "redis"
require "resque"
require "resque-scheduler"

Resque.redis = Redis::Namespace.new(ENV.fetch("RESQUE_NAMESPACE"), redis: Redis.new(url: ENV.fetch("REDIS_URL")))

# Promotion runs core's enqueue hooks for a class Ruby knows (reference §3.6), so this one tells the test
# which items Ruby's scheduler pushed, and how often: a duplicate from Ruby's side shows up here twice.
# It prints rather than writes to Redis, so Ruby's drain gets no slower (Scheduler.run syncs $stdout, and
# what was printed before a SIGKILL is already in the pipe).
class RaceJob
  @queue = :race
  def self.perform(*); end

  def self.after_enqueue_report_ruby_push(id, *)
    $stdout.puts "pushed #{id}"
  end
end

command, *rest = ARGV
out = case command
when "enqueue_at"
  prefix, from, to, t0, spread = rest
  from, to, t0, spread = Integer(from), Integer(to), Integer(t0), Integer(spread)
  # Later writes fall due later, so a slow writer stays ahead of the clock. An item already due when
  # written is enqueued at once by enqueue_at, and its after_enqueue hook then prints "pushed".
  (from...to).each { |i| Resque.enqueue_at(Time.at(t0 + (i - from) * spread / (to - from)), RaceJob, "#{prefix}-#{i}") }
  to - from
when "run"
  Resque::Scheduler.run
else abort "unknown command #{command}"
end
puts JSON.generate(out)
