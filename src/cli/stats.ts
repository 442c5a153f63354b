/** `resque stats`: stock's Resque.info, once or refreshed in place with --watch. */
import { defineCommand } from "citty";
import { commonArgs, printJson, withResque } from "./context.ts";
import { table } from "./table.ts";
import type { Resque } from "../client/resque.ts";

async function render(resque: Resque, json: boolean): Promise<string> {
  const [info, sizes] = await Promise.all([resque.info(), resque.sizes()]);
  if (json) return JSON.stringify({ ...info, queueSizes: sizes });
  const rows = [
    ["pending", info.pending], ["processed", info.processed], ["failed", info.failed], ["queues", info.queues],
    ["workers", info.workers], ["working", info.working], ["environment", info.environment], ["servers", info.servers.join(", ")],
  ];
  return table(["STAT", "VALUE"], rows);
}

export const statsCommand = defineCommand({
  meta: { name: "stats", description: "Show pending, processed, failed, workers (as resque-web's Stats). Example: resque stats --watch" },
  args: { ...commonArgs, watch: { type: "boolean", description: "Refresh in place every --every seconds until Ctrl-C" }, every: { type: "string", default: "2", description: "Seconds between refreshes" } },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      if (!args.watch) {
        const text = await render(resque, Boolean(args.json));
        return args.json ? printJson(JSON.parse(text)) : console.log(text);
      }
      const every = Math.max(0.2, Number(args.every) || 2) * 1000;
      for (;;) {
        const text = await render(resque, Boolean(args.json));
        // Clear the screen and redraw, so the numbers refresh in place.
        process.stdout.write(args.json ? `${text}\n` : `\x1b[H\x1b[2J${text}\n\n(refreshing every ${every / 1000}s; Ctrl-C to stop)\n`);
        await new Promise((r) => setTimeout(r, every));
      }
    }),
});
