/** `resque queues`: every queue with its size. */
import { defineCommand } from "citty";
import { queuesView, type QueueView } from "../../client/views.ts";
import { commonArgs, printJson, withResque } from "../kit/context.ts";
import { table } from "../kit/table.ts";

export const queuesCommand = defineCommand({
  meta: { name: "queues", description: "List queues with their sizes and the age of their oldest job.\nExample: resque queues --json" },
  args: commonArgs,
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const queues = await queuesView(resque);
      if (args.json) return printJson(queues);
      // ">=": no enqueued_at in the payload, so the age counts from when a reader first saw that head job.
      const oldest = (q: QueueView) =>
        q.problem
          ? `(${q.problem})`
          : q.oldestAgeSeconds === null
            ? ""
            : `${q.oldestAgeSource === "first-seen" ? ">=" : ""}${Math.round(q.oldestAgeSeconds)}s`;
      console.log(
        queues.length === 0
          ? "No queues."
          : table(
              ["QUEUE", "SIZE", "OLDEST"],
              queues.map((q) => [q.name, q.size, oldest(q)]),
            ),
      );
    }),
});
