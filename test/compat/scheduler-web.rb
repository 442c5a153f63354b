# The Ruby side of test/compat/scheduler-web.test.ts: stock resque-web with resque-scheduler's tabs.
# Usage: ruby test/compat/scheduler-web.rb COMMAND [ARGS...]   (REDIS_URL and RESQUE_NAMESPACE in the env)
#   serve PORT              Resque::Server (with require 'resque/scheduler/server') on 127.0.0.1:PORT, WEBrick via rackup
#   set_schedule NAME JSON  Resque.set_schedule(NAME, JSON + persist: true): the bytes Ruby writes to persistent_schedules
require "json"
# redis-rb 5 must be loaded before resque-scheduler, or Redis::NoScriptError is undefined (reference §6).
require "redis"
require "resque"
require "resque-scheduler"
require "resque/server"
require "resque/scheduler/server"

Resque.redis = Redis::Namespace.new(ENV.fetch("RESQUE_NAMESPACE"), redis: Redis.new(url: ENV.fetch("REDIS_URL")))
# Dynamic, as a deployment whose schedules live in Redis: the Schedule tab re-reads persistent_schedules per request.
Resque::Scheduler.dynamic = true

# "Cancel" needs the job's class in the web process (reference §7); its @queue is what the item bytes must carry.
class WebJob
  @queue = :web
  def self.perform(*); end
end

command, *rest = ARGV
case command
when "serve"
  # Rack 3 moved the server handlers out of rack into the rackup gem.
  require "rackup"
  require "rackup/handler/webrick"
  require "logger"
  $stdout.sync = true
  Rackup::Handler::WEBrick.run(
    Resque::Server.new,
    Host: "127.0.0.1",
    Port: Integer(rest[0]),
    Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN),
    AccessLog: []
  ) { |server| %w[TERM INT].each { |signal| trap(signal) { server.shutdown } } }
when "set_schedule"
  Resque.set_schedule(rest[0], JSON.parse(rest[1]).merge("persist" => true))
  puts JSON.generate(Resque.redis.hget(:persistent_schedules, rest[0]))
else abort "unknown command #{command}"
end
