/** `resque enqueue <Class> [arg ...]`: args are JSON when they parse as JSON, strings otherwise. */
import { defineCommand } from "citty";
import { consola } from "consola";
import { Resque } from "../client/resque.ts";
import { decodeJson } from "../protocol/json-decode.ts";
import { currentRuntime } from "../runtime/detect.ts";
import { reportError } from "./errors.ts";

const parseArg = (text: string): unknown => {
  try {
    return decodeJson(text);
  } catch {
    return text;
  }
};

export const enqueueCommand = defineCommand({
  meta: { name: "enqueue", description: "Enqueue a job: resque enqueue Archive 42 '{\"deep\":true}' --queue archive" },
  args: {
    class: { type: "positional", description: "Job class name as workers know it", required: true },
    queue: { type: "string", description: "Queue to push to", required: true },
    redis: { type: "string", description: "Redis location (REDIS_URL)" },
    namespace: { type: "string", description: "Key namespace (default resque)" },
  },
  async run({ args }) {
    const runtime = currentRuntime();
    let resque: Resque | undefined;
    try {
      resque = new Resque({ redis: args.redis ?? runtime.env("REDIS_URL"), namespace: args.namespace, outage: "fail" });
      await resque.connect();
      const jobArgs = (args._ as string[]).slice(1).map(parseArg);
      await resque.enqueueTo(args.queue, args.class, ...jobArgs);
      consola.success(`Enqueued ${args.class} on ${args.queue}`);
      await resque.close();
    } catch (error) {
      resque?.db.redis.disconnect();
      runtime.exit(reportError(error));
    }
  },
});
