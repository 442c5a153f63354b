# The Ruby side of test/compat/retry.test.ts: resque-retry 1.9 itself.
# Usage: ruby test/compat/retry.rb keys < args.json     each args JSON text -> { join, key } as resque-retry builds them
#        ruby test/compat/retry.rb work ARGS_JSON        enqueue CompatRetry(ARGS), run one job in a stock worker with
#                                                        MultipleWithRetrySuppression, print the failure entry's state
#        ruby test/compat/retry.rb details ARGS_JSON     the failure entry as resque-retry's web tab decodes it
# (REDIS_URL and RESQUE_NAMESPACE in the env for work and details; run with a UTF-8 locale.)
require "json"
require "resque"
require "resque-scheduler"
require "resque-retry"
require "resque/failure/redis"

# Fails every run; one retry, 30 s later (through resque-scheduler's delayed queue).
class CompatRetry
  extend Resque::Plugins::Retry
  @queue = :compat_retry
  @retry_limit = 1
  @retry_delay = 30
  def self.perform(*_args)
    raise "boom"
  end
end

def redis!
  Resque.redis = Redis::Namespace.new(ENV.fetch("RESQUE_NAMESPACE"), redis: Redis.new(url: ENV.fetch("REDIS_URL")))
end

case ARGV[0]
when "keys"
  out = JSON.parse($stdin.read).map do |json|
    args = Resque.decode(json)
    { "join" => args.join("-"), "key" => CompatRetry.redis_retry_key(*args) }
  end
  puts JSON.generate(out)
when "work"
  redis!
  Resque::Failure::MultipleWithRetrySuppression.classes = [Resque::Failure::Redis]
  Resque::Failure.backend = Resque::Failure::MultipleWithRetrySuppression
  ENV["FORK_PER_JOB"] = "false"
  args = JSON.parse(ARGV.fetch(1))
  Resque.enqueue(CompatRetry, *args)
  worker = Resque::Worker.new(:compat_retry)
  worker.register_worker
  worker.work_one_job
  worker.unregister_worker
  key = "failure-" + CompatRetry.redis_retry_key(*args)
  puts JSON.generate("key" => key, "value" => Resque.redis.get(key), "ttl" => Resque.redis.ttl(key), "failed" => Resque.redis.llen("failed"))
when "details"
  redis!
  args = JSON.parse(ARGV.fetch(1))
  # resque-retry's web tab: retry_failure_details(retry_key_for_job(job)), where the key is built from the args list.
  puts JSON.generate(Resque.decode(Resque.redis.get("failure-#{CompatRetry.redis_retry_key(args)}")))
else
  abort "unknown command #{ARGV[0].inspect}"
end
