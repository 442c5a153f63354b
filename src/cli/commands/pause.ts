/** `resque pause` / `resque resume`: stock's pause-all-workers key (Ruby workers obey it too). */
import { defineCommand } from "citty";
import { commonArgs, printJson, say, withResque } from "../kit/context.ts";

export const pauseCommand = defineCommand({
  meta: { name: "pause", description: "Stop every worker (Ruby and ours) taking new jobs; `resque resume` undoes it." },
  args: commonArgs,
  run: ({ args }) =>
    withResque(args, async (resque) => {
      await resque.pause();
      return args.json
        ? printJson({ paused: true })
        : say.success("All workers paused (pause-all-workers = true); `resque resume` to go on.");
    }),
});

export const resumeCommand = defineCommand({
  meta: { name: "resume", description: "Let workers take jobs again after `resque pause`." },
  args: commonArgs,
  run: ({ args }) =>
    withResque(args, async (resque) => {
      await resque.resume();
      return args.json ? printJson({ paused: false }) : say.success("Workers resumed.");
    }),
});
