# The Ruby side of the compatibility suite: stock Resque 3.0 driven from the command line.
# Usage: ruby test/compat/stock.rb COMMAND [ARGS...]   (REDIS_URL and RESQUE_NAMESPACE in the env)
require "json"
require "resque"

Resque.redis = Redis::Namespace.new(ENV.fetch("RESQUE_NAMESPACE"), redis: Redis.new(url: ENV.fetch("REDIS_URL")))

# The values scenario 1 and 2 send both ways.
SAMPLE_ARGS = [
  "plain", "unicode é ✓ 日本", "escapes \" \\ / \n \t \u0001", { "nested" => { "list" => [1, [2, 3]], "flag" => true } },
  nil, true, false, 1.0, 1e20, 0.5, -3, 9007199254740993, 12345678901234567890, [], {}
].freeze

class CompatCheck
  @queue = :compat
  def self.perform(*args)
    Resque.redis.rpush("compat:seen", JSON.generate([Process.pid, args]))
  end
end

class CompatFail
  @queue = :compat
  def self.perform(*args)
    raise ArgumentError, "stock failure #{args.inspect}"
  end
end

# Runs until the test deletes <ns>:compat:hold, so the test can look at a busy stock worker.
class CompatHold
  @queue = :compat
  def self.perform(*)
    Resque.redis.rpush("compat:started", Process.pid)
    sleep 0.02 while Resque.redis.exists?("compat:hold")
  end
end

class CompatHooks
  @queue = :compat
  def self.log(what) = Resque.redis.rpush("compat:hooks", what)
  def self.before_enqueue_a(*) = log("before_enqueue_a")
  def self.before_enqueue(*) = log("before_enqueue")
  def self.after_enqueue(*) = log("after_enqueue")
  def self.before_perform(*) = log("before_perform")
  def self.before_perform_b(*) = log("before_perform_b")
  def self.around_perform(*) = (log("around_perform in"); yield; log("around_perform out"))
  def self.after_perform(*) = log("after_perform")
  def self.on_failure(e, *) = log("on_failure")
  def self.perform(fail) = (log("perform"); raise "boom" if fail)
end

command, *rest = ARGV
out = case command
when "sample_args" then SAMPLE_ARGS
when "enqueue_sample" then Resque.enqueue(CompatCheck, *SAMPLE_ARGS)
when "enqueue" then Resque.enqueue_to(rest[0], rest[1], *JSON.parse(rest[2]))
when "enqueue_hooks" then Resque.enqueue(CompatHooks, rest[0] == "fail")
when "work"
  # Works until the queues are empty; FORK_PER_JOB in the env picks stock's mode.
  worker = Resque::Worker.new(*rest[0].split(","))
  worker.work(0)
  worker.id
when "failures" then Resque::Failure.all(0, Resque::Failure.count).then { |f| f.is_a?(Hash) ? [f] : f }
when "requeue" then Resque::Failure.requeue(Integer(rest[0]))
when "workers" then Resque.workers.map { |w| { id: w.id, job: w.job, processing: w.processing, processed: w.processed, failed: w.failed } }
when "stats" then { processed: Resque::Stat[:processed], failed: Resque::Stat[:failed] }
when "working" then Resque.working.map(&:id)
when "info" then Resque.info
when "prune" then Resque::Worker.new("*").prune_dead_workers
when "web"
  require "resque/server"
  require "rack/mock"
  app = Resque::Server.new
  rest.to_h { |path| r = Rack::MockRequest.new(app).get(path); [path, { status: r.status, body: r.body }] }
else abort "unknown command #{command}"
end
puts JSON.generate(out)
