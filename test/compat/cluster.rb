# The Ruby side of the Cluster interop check: stock Resque 3.0 (and resque-scheduler 5.0) on a Redis
# Cluster through redis-rb's cluster client (redis-clustering), with a hash-tagged namespace.
# Usage: ruby test/compat/cluster.rb COMMAND [ARGS...]   (CLUSTER_NODES=host:port,... and RESQUE_NAMESPACE)
require "json"
require "redis-clustering"
require "resque"
require "resque-scheduler"

nodes = ENV.fetch("CLUSTER_NODES").split(",").map { |node| "redis://#{node}" }
Resque.redis = Redis::Namespace.new(ENV.fetch("RESQUE_NAMESPACE"), redis: Redis::Cluster.new(nodes: nodes))

class ClusterCheck
  @queue = :cluster
  def self.perform(*args)
    Resque.redis.rpush("cluster:seen", JSON.generate(["ruby", args]))
  end
end

# Our test fixture's class (test/fixtures/jobs.ts), for jobs Ruby enqueues and our workers run.
class Quick
  @queue = :ours
end

case ARGV.fetch(0)
when "enqueue" then Integer(ARGV.fetch(1)).times { |i| Resque.enqueue(Quick, "from-ruby-#{i}") }
when "work"
  # Works the queue until it is empty (interval 0), as a stock worker would, then leaves.
  worker = Resque::Worker.new("cluster")
  worker.work(0)
when "info" then puts JSON.generate(Resque.info.transform_keys(&:to_s))
when "workers" then puts JSON.generate(Resque.workers.map(&:to_s) + Resque.working.map { |w| "working #{w}" })
when "enqueue_in" then Resque.enqueue_in(1, Quick, "delayed-from-ruby")
when "promote"
  # resque-scheduler's own promotion of due delayed jobs, as its leader runs it.
  Resque::Scheduler.handle_delayed_items(Time.now.to_i + 5)
else abort "unknown command #{ARGV[0]}"
end
