/** `resque workers`: every registered worker, Ruby or ours, as resque-web's Workers tab. */
import { defineCommand } from "citty";
import { parseHeartbeat } from "../../protocol/time.ts";
import { workersView } from "../../client/views.ts";
import { commonArgs, printJson, withResque } from "../kit/context.ts";
import { age, table } from "../kit/table.ts";

const jobClass = (payload: unknown) =>
  payload && typeof payload === "object" && !Array.isArray(payload)
    ? String((payload as Record<string, unknown>)["class"] ?? "")
    : String(payload ?? "");

export const workersCommand = defineCommand({
  meta: {
    name: "workers",
    description: "List workers: host, pid, queues, state, job, started, heartbeat age.\nExample: resque workers --json",
  },
  args: commonArgs,
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const workers = await resque.workers();
      if (args.json) return printJson(await workersView(resque));
      if (workers.length === 0) return console.log("No workers registered.");
      const now = new Date();
      console.log(
        table(
          ["HOST", "PID", "QUEUES", "STATE", "JOB", "STARTED", "HEARTBEAT"],
          workers.map((w) => [
            w.host,
            w.pid,
            w.queues.join(","),
            w.current ? "working" : "idle",
            w.current ? `${jobClass(w.current.payload)} on ${w.current.queue} since ${w.current.runAt}` : "",
            w.started ?? "",
            w.heartbeat ? age(parseHeartbeat(w.heartbeat), now) : "none",
          ]),
        ),
      );
    }),
});
