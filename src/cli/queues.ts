/** `resque queues`: every queue with its size. */
import { defineCommand } from "citty";
import { queuesView } from "../client/views.ts";
import { commonArgs, printJson, withResque } from "./context.ts";
import { table } from "./table.ts";

export const queuesCommand = defineCommand({
  meta: { name: "queues", description: "List queues and their sizes.\nExample: resque queues --json" },
  args: commonArgs,
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const sizes = await resque.sizes();
      if (args.json) return printJson(await queuesView(resque));
      const names = Object.keys(sizes);
      console.log(names.length === 0 ? "No queues." : table(["QUEUE", "SIZE"], names.map((n) => [n, sizes[n]])));
    }),
});
