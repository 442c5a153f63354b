// Type test, checked by `tsc --noEmit -p .` and never run: enqueue, enqueueTo and the delayed family check a typed
// job's arguments against its perform's parameters; a class name stays untyped (a Ruby job).
// Each @ts-expect-error line must be an error, or tsc fails with "Unused '@ts-expect-error'".
import { defineJob, float, type Resque } from "../../src/index.ts";

const archive = defineJob("Archive", {
  queue: "archive",
  async perform(documentId: number, options: { compress?: boolean }) {
    void documentId;
    void options;
  },
});
const ping = defineJob("Ping", { perform() {} });
const anything = defineJob("Anything", { perform(..._args: unknown[]) {} });

export async function checks(resque: Resque): Promise<void> {
  await resque.enqueue(archive, 42, { compress: true });
  await resque.enqueue(archive, 42, {});
  await resque.enqueueTo("urgent", archive, 42, { compress: false });
  await resque.enqueue(ping);
  await resque.enqueue(anything, 1, "a", float(1), 2n);
  // By name: any arguments, as Ruby's Resque.enqueue_to("q", "Archive", ...).
  await resque.enqueue("Archive", "not", "checked");
  await resque.enqueueTo("archive", "Archive", 42, { compress: "yes" });

  // @ts-expect-error documentId is a number
  await resque.enqueue(archive, "42", { compress: true });
  // @ts-expect-error options is required
  await resque.enqueue(archive, 42);
  // @ts-expect-error compress is a boolean
  await resque.enqueue(archive, 42, { compress: "yes" });
  // @ts-expect-error one argument too many
  await resque.enqueue(archive, 42, {}, "extra");
  // @ts-expect-error documentId is a number (enqueueTo)
  await resque.enqueueTo("urgent", archive, "42", {});
  // @ts-expect-error options is required (enqueueTo)
  await resque.enqueueTo("urgent", archive, 42);
  // @ts-expect-error Ping takes no arguments
  await resque.enqueue(ping, 1);
  // @ts-expect-error a job is a defineJob result or a class name
  await resque.enqueue({ className: "Plain", perform: (name: string) => name }, "world");

  // Delayed jobs (resque-scheduler) check the same way.
  await resque.enqueueAt(new Date(), archive, 42, { compress: true });
  await resque.enqueueIn(60, archive, 42, {});
  await resque.enqueueAtWithQueue("urgent", 1_900_000_000, archive, 42, {});
  await resque.enqueueInWithQueue("urgent", 5, "Archive", "by", "name");
  await resque.removeDelayed(archive, 42, {});
  await resque.enqueueDelayed(archive, 42, {});
  // @ts-expect-error documentId is a number (enqueueAt)
  await resque.enqueueAt(new Date(), archive, "42", {});
  // @ts-expect-error options is required (enqueueIn)
  await resque.enqueueIn(60, archive, 42);
  // @ts-expect-error documentId is a number (removeDelayed)
  await resque.removeDelayed(archive, "42", {});
  // @ts-expect-error Ping takes no arguments (enqueueDelayed)
  await resque.enqueueDelayed(ping, 1);
}
