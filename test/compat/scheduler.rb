# The Ruby side of the delayed-job compatibility suite: resque-scheduler 5.0 driven from the command line.
# Usage: ruby test/compat/scheduler.rb COMMAND [ARGS...]   (REDIS_URL and RESQUE_NAMESPACE in the env)
require "json"
# redis-rb 5 must be loaded before resque-scheduler, or Redis::NoScriptError is undefined (reference §6).
require "redis"
require "resque"
require "resque-scheduler"

Resque.redis = Redis::Namespace.new(ENV.fetch("RESQUE_NAMESPACE"), redis: Redis.new(url: ENV.fetch("REDIS_URL")))

# The reference's observed sample (§3.1) plus the core suite's hard strings; the test sends the same.
SAMPLE_ARGS = [
  1, "a", { "b" => 2.0, "c" => nil }, 1152921504606846976, 1.5e20, "x/yé<>&",
  "unicode é ✓ 日本", "escapes \" \\ / \n \t \u0001", 1.0e-05, -0.0, [], {}
].freeze

class SomeJob
  @queue = :jobq
  def self.perform(*); end
end

command, *rest = ARGV
out = case command
when "sample_args" then SAMPLE_ARGS
when "enqueue_at" then Resque.enqueue_at(Time.at(Integer(rest[0])), SomeJob, *SAMPLE_ARGS)
when "remove_delayed" then Resque.remove_delayed(SomeJob, *SAMPLE_ARGS)
when "schedule_size" then Resque.delayed_queue_schedule_size
when "timestamp_size" then Resque.delayed_timestamp_size(Integer(rest[0]))
when "scheduled_at" then Resque.scheduled_at(SomeJob, *SAMPLE_ARGS)
when "find" then Resque.find_delayed_selection(SomeJob) { |args| args[1] == "a" }
when "enqueue_delayed" then Resque.enqueue_delayed(SomeJob, *SAMPLE_ARGS)
when "enqueue_at_many" # ts count: `count` delayed SomeJob items with args [i]
  rest[1].to_i.times { |i| Resque.enqueue_at(Time.at(Integer(rest[0])), SomeJob, i) }
  rest[1].to_i
when "promote_due" # ts: one pass of the master's promotion, as if the clock read ts
  Resque::Scheduler.quiet = true # its log goes to stdout, where this script answers
  Resque::Scheduler.handle_delayed_items(Time.at(Integer(rest[0])))
  Resque.delayed_queue_schedule_size
when "set_schedule" # name config-json: Resque.set_schedule as an app calls it (persist inside the config)
  Resque.set_schedule(rest[0], JSON.parse(rest[1]))
  true
when "remove_schedule" then Resque.remove_schedule(rest[0]) && true
when "schedule" then Resque.reload_schedule!
when "load_schedule" # what a dynamic scheduler loads (rufus jobs), without taking the lock: name -> next fire (epoch s)
  Resque::Scheduler.logger = Logger.new(nil)
  Resque::Scheduler.dynamic = true
  Resque::Scheduler.instance_variable_set(:@am_master, false)
  Resque::Scheduler.load_schedule!
  jobs = Resque::Scheduler.scheduled_jobs.transform_values { |job| job.next_time.to_i }
  Resque::Scheduler.rufus_scheduler.shutdown
  jobs
when "tick" # name: one rufus tick of a schedule as the master runs it (enqueue_from_config, then last_enqueued_at)
  Resque::Scheduler.logger = Logger.new(nil)
  Resque::Scheduler.instance_variable_set(:@am_master, true)
  Resque::Scheduler.send(:enqueue_recurring, rest[0], Resque.reload_schedule![rest[0]])
  Resque.get_last_enqueued_at(rest[0])
when "cron_next" # json [[line, epoch], ...] -> fugit's next time after each (epoch s), or the error
  JSON.parse(rest[0]).map do |line, epoch|
    Fugit::Cron.do_parse(line).next_time(Time.at(epoch)).to_i
  rescue ArgumentError => e
    "error: #{e.message}"
  end
when "durations" # json [string, ...] -> fugit's seconds, or nil
  JSON.parse(rest[0]).map { |s| (d = Fugit::Duration.parse(s)) && d.to_sec }
when "run" # a scheduler process (RESQUE_SCHEDULER_INTERVAL, LOCK_TIMEOUT from the env); TERM releases the lock
  Resque::Scheduler.run
else abort "unknown command #{command}"
end
puts JSON.generate(out)
