/** /assets/...: the stylesheet, the script and uPlot, from the generated module (the binary carries them; no files needed). */
import { Hono } from "hono";
import { assets } from "./assets.generated.ts";

const TYPES: Record<string, string> = { css: "text/css; charset=utf-8", js: "text/javascript; charset=utf-8" };

export function assetRoutes(): Hono {
  const app = new Hono();
  app.get("/:name", (c) => {
    const name = c.req.param("name");
    const body = (assets as Record<string, string>)[name];
    if (body === undefined) return c.text("Not found.", 404);
    return c.body(body, 200, {
      "content-type": TYPES[name.split(".").pop()!] ?? "application/octet-stream",
      "cache-control": "public, max-age=300",
    });
  });
  return app;
}
