/** Deno: Deno.serve takes the fetch handler as it is. */
import type { ServeHttp } from "./http-types.ts";

interface DenoServer {
  addr: { port: number };
  shutdown(): Promise<void>;
}
interface DenoServe {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): DenoServer;
}

export const serveHttp: ServeHttp = async ({ fetch, hostname, port }) => {
  const deno = (globalThis as unknown as { Deno: DenoServe }).Deno;
  const server = deno.serve({ hostname, port, onListen: () => {} }, (request) => fetch(request));
  return {
    port: server.addr.port,
    close: () => server.shutdown(),
  };
};
