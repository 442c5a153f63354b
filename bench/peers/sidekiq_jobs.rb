# Sidekiq 7's side of the macro benchmark: the job classes of bench/jobs.ts, loaded by
# `sidekiq -c 10 -q bench -r ./bench/peers/sidekiq_jobs.rb` (bench/lib/peers.ts starts it, with
# or without --yjit). Env: REDIS_URL (read by Sidekiq itself), BENCH_N (push to bench:done when
# that many jobs have finished; 0 = never), BENCH_YJIT=1 (abort unless YJIT is really on).
# Run as a script it is the client: `ruby bench/peers/sidekiq_jobs.rb enqueue Noop 200000`
# (push_bulk, 1,000 a call) or `... pickup` (one Sidekiq::Client.push per line on stdin; prints
# that job's pickup in ms, measured on this process's clock).
gem "sidekiq", "~> 7.3"
require "sidekiq"

if ENV["BENCH_YJIT"] == "1" && !(defined?(RubyVM::YJIT) && RubyVM::YJIT.enabled?)
  abort "sidekiq_jobs.rb: BENCH_YJIT=1 but YJIT is not enabled in this Ruby"
end

class Noop
  include Sidekiq::Job
  def perform(*) = nil
end

class Sleep1ms
  include Sidekiq::Job
  def perform(*) = sleep(0.001)
end

class Cpu
  include Sidekiq::Job
  def perform(*) = (1..2_000).reduce(0) { |a, i| a + (i * i) % 7 }
end

class Pickup
  include Sidekiq::Job
  # Acknowledges on Redis that perform started; the pusher's BLPOP times it (bench/lib/driver.ts).
  def perform(*) = Sidekiq.redis { |c| c.call("RPUSH", "resque:bench:pickup", "1") }
end

# Counts finished jobs in memory (after perform returns, just before Sidekiq's own processed
# counter, which it only writes to Redis every heartbeat), and says so once when N is reached.
class BenchDone
  include Sidekiq::ServerMiddleware
  N = Integer(ENV.fetch("BENCH_N", "0"))
  LOCK = Mutex.new
  @count = 0
  class << self
    def finished = LOCK.synchronize { @count += 1 }
  end

  def call(*)
    yield
    redis { |c| c.call("RPUSH", "bench:done", (Time.now.to_f * 1000).round.to_s) } if BenchDone.finished == N
  end
end

# The client modes below print to stdout, where Sidekiq's INFO log ("connecting to Redis") would go.
Sidekiq.configure_client { |config| config.logger.level = Logger::WARN }

Sidekiq.configure_server do |config|
  config.server_middleware { |chain| chain.add(BenchDone) }
  # Sidekiq logs a start and a done line per job at INFO; stock Resque and ours log nothing per
  # job, so all three are measured without per-job logs.
  config.logger.level = Logger::WARN
end

if $PROGRAM_NAME == __FILE__
  case ARGV[0]
  when "enqueue"
    klass = Object.const_get(ARGV.fetch(1))
    n = Integer(ARGV.fetch(2))
    (0...n).each_slice(1_000) { |slice| Sidekiq::Client.push_bulk("class" => klass, "queue" => "bench", "args" => slice.map { |i| [i] }) }
  when "pickup"
    # Pickup on this process's clock, as oneClockPickup in bench/lib/driver.ts: a PING's round
    # trip, the push, then BLPOP on the ack; prints push-to-ack less the round trip, in ms.
    $stdout.sync = true
    waiter = RedisClient.new(url: ENV.fetch("REDIS_URL"))
    clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC, :float_millisecond) }
    $stdin.each_line do
      pinged = clock.call
      waiter.call("PING")
      round_trip = clock.call - pinged
      started = clock.call
      Sidekiq::Client.push("class" => Pickup, "queue" => "bench", "args" => [])
      abort "no pickup acknowledged within 30 s" unless waiter.blocking_call(31, "BLPOP", "resque:bench:pickup", 30)
      puts clock.call - started - round_trip
    end
  else
    abort "usage: ruby bench/peers/sidekiq_jobs.rb enqueue CLASS N | pickup"
  end
end
