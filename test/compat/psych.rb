# Ruby's reading of YAML documents, for test/compat/yaml.test.ts: each document of the JSON list on
# stdin loaded as Ruby apps load a schedule file, then written as resque-scheduler stores an entry.
# Usage: ruby test/compat/psych.rb < documents.json   (prints one JSON answer per document, as a list)
#   json:  Resque.encode(Resque.decode(Resque.encode(YAML.unsafe_load(doc))))  (set_schedule's round trip)
#   error: the class of what Ruby raised instead (at load, encode or decode)
#   safe:  whether Psych 4's YAML.load (no Date/Time, no aliases) loads it too, and then to the same value
require "json"
require "yaml"
require "date"
require "resque"

answers = JSON.parse($stdin.read).map do |doc|
  begin
    value = YAML.unsafe_load(doc)
    answer = { "json" => Resque.encode(Resque.decode(Resque.encode(value))) }
    begin
      answer["safe"] = YAML.load(doc) == value || YAML.load(doc).to_s == value.to_s
    rescue Psych::DisallowedClass, Psych::BadAlias
      answer["safe"] = false
    end
    answer
  rescue StandardError, Psych::Exception => e
    { "error" => e.class.to_s }
  end
end
puts JSON.generate(answers)
