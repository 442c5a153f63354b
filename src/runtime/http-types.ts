/** The HTTP contract the dashboard needs from a runtime: serve a fetch handler, learn the port, stop. */

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface ServeOptions {
  fetch: FetchHandler;
  hostname: string;
  /** 0 asks the OS for a free port. */
  port: number;
}

export interface HttpServer {
  /** The port actually bound (the OS's choice when asked for 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** One implementation per runtime (http-node.ts, http-bun.ts, http-deno.ts). */
export type ServeHttp = (options: ServeOptions) => Promise<HttpServer>;
