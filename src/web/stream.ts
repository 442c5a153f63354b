/** /stream: server-sent events, one `sample` event per sampler tick, for the live counters and graphs. */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { WebContext } from "./context.ts";
import type { Sample } from "./sampler.ts";

/** Open streams, so shutting down can end them (a server waits for open responses). */
export class Streams {
  readonly #closers = new Set<() => void>();
  add(close: () => void): () => void {
    this.#closers.add(close);
    return () => this.#closers.delete(close);
  }
  closeAll(): void {
    for (const close of [...this.#closers]) close();
  }
}

export function streamRoutes(ctx: WebContext, streams: Streams): Hono {
  const app = new Hono();
  app.get("/stream", (c) =>
    streamSSE(c, async (stream) => {
      const queue: Sample[] = [];
      let wake: (() => void) | undefined;
      let open = true;
      const stop = () => {
        open = false;
        wake?.();
      };
      const unsubscribe = ctx.live.subscribe((s) => {
        // A client that cannot keep up loses its oldest samples, not this process's memory.
        if (queue.length >= 60) queue.shift();
        queue.push(s);
        wake?.();
      });
      const forget = streams.add(stop);
      stream.onAbort(stop);
      const latest = ctx.live.latest();
      if (latest) queue.push(latest);
      try {
        while (open) {
          const next = queue.shift();
          if (next) await stream.writeSSE({ event: "sample", data: JSON.stringify(next) });
          else await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        unsubscribe();
        forget();
      }
    }),
  );
  return app;
}
