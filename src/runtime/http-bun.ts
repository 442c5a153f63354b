/** Bun: Bun.serve takes the fetch handler as it is. */
import type { ServeHttp } from "./http-types.ts";

export const serveHttp: ServeHttp = async ({ fetch, hostname, port }) => {
  // idleTimeout 0: a server-sent event stream may stay quiet longer than Bun's default 10 s.
  const server = Bun.serve({ fetch, hostname, port, idleTimeout: 0 });
  return {
    port: server.port ?? port,
    close: async () => {
      await server.stop(true);
    },
  };
};
