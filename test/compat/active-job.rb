# The Ruby side of the Rails interop suite: ActiveJob 7.2 through resque 3.0's adapter, no Rails app.
# Usage: ruby test/compat/active-job.rb COMMAND [ARGS...]   (REDIS_URL and RESQUE_NAMESPACE in the env)
#   perform_later QUEUE            ArchiveJob.perform_later(*SAMPLE) (ARCHIVE: the sample every test sends)
#   perform_later_failing QUEUE    FailingJob.perform_later(7)
#   set_wait QUEUE SECONDS         ArchiveJob.set(wait:).perform_later(1, "late"): through resque-scheduler
#   work QUEUE                     a stock Resque::Worker drains QUEUE; RecordJob writes what perform got
#   promote_due TS                 one pass of resque-scheduler's promotion, as if the clock read TS
require "json"
require "redis"
require "resque"
require "resque-scheduler"
require "active_job"
require "globalid"
require "bigdecimal"
# resque 3.0 ships its own adapter (the one Rails apps on resque load); it replaces activejob's copy.
require "active_job/queue_adapters/resque_adapter"

Resque.redis = Redis::Namespace.new(ENV.fetch("RESQUE_NAMESPACE"), redis: Redis.new(url: ENV.fetch("REDIS_URL")))
ActiveJob::Base.queue_adapter = :resque
ActiveJob::Base.logger = Logger.new(nil)
GlobalID.app = "app"
Time.zone = "UTC" # ActiveSupport::TimeWithZone needs a zone; Rails sets one from config.time_zone

# A model GlobalID can locate without a database.
class User
  include GlobalID::Identification
  attr_reader :id
  def initialize(id) = @id = id
  def self.find(id) = new(id)
  def ==(other) = other.is_a?(User) && other.id.to_s == id.to_s
  def inspect = "#<User id=#{id}>"
end

def sample
  [
    42, -7, 1152921504606846976, 1.5, 2.0, 1.0e-05, "text é ✓", nil, true, false,
    { compress: true, "n" => 1.5 },
    { "plain" => [1, [2, [3, "deep"]]] },
    :a_symbol,
    Time.utc(2026, 11, 23, 16, 18, 57, 500417.581r),
    Date.new(2026, 11, 23),
    DateTime.new(2026, 11, 23, 10, 30, 15, "+02:00"),
    Time.zone.local(2026, 11, 23, 9, 0, 0),
    1.hour + 30.minutes,
    BigDecimal("12345678901234567890.123456789"),
    String,
    (1..10),
    (1...10),
    User.new(1),
    [:nested, { "k" => [:v] }],
  ]
end

class ArchiveJob < ActiveJob::Base
  queue_as :archive
  def perform(*args, **kwargs); end
end

class KwJob < ActiveJob::Base
  queue_as :archive
  def perform(id, mode:, level: 1); end
end

class FailingJob < ActiveJob::Base
  queue_as :archive
  def perform(n) = raise(ArgumentError, "archive #{n} is missing")
end

# What perform received, as Ruby sees it: each argument's class and inspect, and kwargs apart.
class RecordJob < ActiveJob::Base
  queue_as :from_ts
  def perform(*args, **kwargs)
    seen = {
      "args" => args.map { |a| describe(a) },
      "kwargs" => kwargs.to_h { |k, v| [k.inspect, describe(v)] },
      "job_id" => job_id, "executions" => executions, "locale" => locale, "queue" => queue_name,
      "priority" => priority, "enqueued_at" => enqueued_at&.to_s, "scheduled_at" => scheduled_at&.to_s,
    }
    Resque.redis.rpush("aj:seen", JSON.generate(seen))
  end

  private

  def describe(v)
    case v
    when Hash then { "class" => v.class.name, "hash" => v.map { |k, x| [k.inspect, describe(x)] } }
    when Array then { "class" => "Array", "items" => v.map { |x| describe(x) } }
    else { "class" => v.class.name, "inspect" => v.inspect }
    end
  end
end

command, *rest = ARGV
out = case command
when "perform_later"
  ArchiveJob.set(queue: rest[0]).perform_later(*sample, mode: "fast", level: 3)
  KwJob.set(queue: rest[0]).perform_later(5, mode: :slow)
  true
when "perform_later_failing" then FailingJob.set(queue: rest[0]).perform_later(7) && true
when "set_wait" then ArchiveJob.set(queue: rest[0], wait: Integer(rest[1]).seconds).perform_later(1, "late") && true
when "work"
  worker = Resque::Worker.new(rest[0])
  worker.work(0)
  Resque.redis.lrange("aj:seen", 0, -1).map { |s| JSON.parse(s) }
when "promote_due"
  Resque::Scheduler.quiet = true
  Resque::Scheduler.handle_delayed_items(Time.at(Integer(rest[0])))
  Resque.delayed_queue_schedule_size
else abort "unknown command #{command}"
end
puts JSON.generate(out)
