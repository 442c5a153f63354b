// A jobs module as users write one: `resque work --require ./examples/jobs.ts`.
import { defineJob } from "../src/index.ts";

export const archive = defineJob("Archive", {
  queue: "archive",
  async perform(documentId: number | bigint, options: { compress?: boolean } = {}) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (options.compress === undefined) return;
  },
});

export const deliver = defineJob("Mailer::Deliver", {
  queue: "mail",
  perform(to: string) {
    if (!to.includes("@")) throw new TypeError(`not an email address: ${to}`);
  },
});
