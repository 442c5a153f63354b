// Issue 22 point 7: DNS rebinding. Without auth the dashboard answers only to loopback names and
// the ones --host / --allowed-host name; a blank or short --token / --auth password is refused at start.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { createWebApp, type WebApp } from "../../src/web/app.ts";
import { webSettings } from "../../src/cli/commands/web.ts";
import { useRedis } from "../support/fixture.ts";
import { runToEnd } from "../support/spawn-cli.ts";

const redis = useRedis();
const apps: WebApp[] = [];
after(() => apps.forEach((a) => a.close()));

function app(options: Omit<Parameters<typeof createWebApp>[0], "resque"> = {}): WebApp {
  const web = createWebApp({
    resque: redis.open("host"),
    history: { history: async () => ({ resolutionSeconds: 1, points: [] }), latest: () => undefined, subscribe: () => () => {} },
    ...options,
  });
  apps.push(web);
  return web;
}

const status = async (web: WebApp, host: string, path = "/overview"): Promise<number> =>
  (await web.fetch(new Request(`http://127.0.0.1:5678${path}`, { headers: { host } }))).status;

describe("the Host header (DNS rebinding)", () => {
  it("without auth, only loopback names are served; another name gets 421 with what to pass", async () => {
    const web = app();
    for (const host of ["127.0.0.1:5678", "localhost:5678", "LOCALHOST", "127.1.2.3", "[::1]:5678", "[::1]"])
      assert.equal(await status(web, host), 200, host);
    for (const host of ["evil.example:5678", "evil.example", "127.0.0.1.evil.example", "localhost.evil.example:5678", "[::2]:5678", ""]) {
      assert.equal(await status(web, host), 421, host);
      assert.equal(await status(web, host, "/api/stats"), 421, `${host} /api`);
    }
    const refusal = await (await web.fetch(new Request("http://127.0.0.1/", { headers: { host: "rebound.example:5678" } }))).text();
    assert.match(refusal, /"rebound\.example"/);
    assert.match(refusal, /--allowed-host rebound\.example/);
  });

  it("names given with allowedHosts (--host, --allowed-host) are served too, case and port aside", async () => {
    const web = app({ allowedHosts: ["dash.example", "10.0.0.5", "fe80::1"] });
    for (const host of ["dash.example", "DASH.example:8080", "10.0.0.5:5678", "[fe80::1]:5678", "localhost"])
      assert.equal(await status(web, host), 200, host);
    assert.equal(await status(web, "other.example"), 421);
  });

  it("with auth on, any Host is served (the credentials are the defence)", async () => {
    const web = app({ auth: { token: "0123456789abcdef0123" } });
    assert.equal(await status(web, "evil.example"), 401);
    const ok = await web.fetch(
      new Request("http://127.0.0.1/overview", { headers: { host: "dash.example", authorization: "Bearer 0123456789abcdef0123" } }),
    );
    assert.equal(ok.status, 200);
  });
});

describe("resque web's settings", () => {
  it("--host and --allowed-host become the allowed names; a wildcard address names nothing", () => {
    assert.deepEqual(webSettings({ host: "127.0.0.1", "allowed-host": ["a.example", "b.example,c.example"] }).allowedHosts, [
      "127.0.0.1",
      "a.example",
      "b.example",
      "c.example",
    ]);
    assert.deepEqual(webSettings({ host: "0.0.0.0", token: "0123456789abcdef" }).allowedHosts, []);
    assert.throws(() => webSettings({ "allowed-host": " " }), /--allowed-host wants a host name/);
  });

  it("a blank token or password, or one with fewer than 16 non-space characters, is refused", () => {
    for (const token of ["", " ".repeat(20), "short", "abc def ghi jkl mn"])
      assert.throws(() => webSettings({ token }), /--token wants at least 16 characters that are not spaces/, JSON.stringify(token));
    for (const auth of ["admin:" + " ".repeat(20), "admin:s3cret", "admin:a b c d e f g h i j k l m n o"])
      assert.throws(() => webSettings({ auth }), /password wants at least 16 characters that are not spaces/, auth);
    assert.equal(webSettings({ token: "0123456789abcdef" }).token, "0123456789abcdef");
    assert.equal(webSettings({ auth: "admin:0123456789abcdef" }).basic, "admin:0123456789abcdef");
  });

  it("`resque web` with a blank token or a short password exits non-zero with the reason", async () => {
    const env = { REDIS_URL: redis.server().url };
    const blank = await runToEnd(["web", "--port", "0", "--token", " ".repeat(16)], env);
    assert.notEqual(blank.code, 0);
    assert.match(blank.err + blank.out, /--token wants at least 16 characters/);
    const short = await runToEnd(["web", "--port", "0"], { ...env, RESQUE_WEB_AUTH: "admin:secret" });
    assert.notEqual(short.code, 0);
    assert.match(short.err + short.out, /password wants at least 16 characters/);
  });
});
