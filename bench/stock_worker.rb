# A stock Resque 3.0 worker for the benchmarks: the same job classes as bench/jobs.ts.
# Env: REDIS_URL, QUEUE; FORK_PER_JOB=false for stock's in-process mode (read by Resque itself).
require "resque"

Resque.redis = Redis::Namespace.new("resque", redis: Redis.new(url: ENV.fetch("REDIS_URL")))

class Noop
  def self.perform(*) = nil
end

class Sleep1ms
  def self.perform(*) = sleep(0.001)
end

class Cpu
  def self.perform(*) = (1..2_000).reduce(0) { |a, i| a + (i * i) % 7 }
end

class Pickup
  # Acknowledges on Redis that perform started; the pusher's BLPOP times it (bench/lib/driver.ts).
  def self.perform(*) = Resque.redis.rpush("bench:pickup", "1")
end

class Enqueue
  # Ruby's own enqueue rate: `ruby bench/stock_worker.rb enqueue N`.
  def self.run(n)
    t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    n.times { |i| Resque.enqueue_to("enqueue_bench", Noop, i) }
    n / (Process.clock_gettime(Process::CLOCK_MONOTONIC) - t)
  end
end

if ARGV[0] == "enqueue"
  puts Enqueue.run(Integer(ARGV[1]))
else
  Resque::Worker.new(*ENV.fetch("QUEUE").split(",")).work(Float(ENV.fetch("INTERVAL", "0.01")))
end
