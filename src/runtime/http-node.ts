/** Node: @hono/node-server turns node:http requests into fetch Requests. */
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { ServeHttp } from "./http-types.ts";

export const serveHttp: ServeHttp = ({ fetch, hostname, port }) =>
  new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            // Open SSE streams would hold close() forever.
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
    server.once("error", reject);
  });
