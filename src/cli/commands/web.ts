/** `resque web`: the dashboard (resque-web's tabs and more) on 127.0.0.1:5678 unless told otherwise. */
import { defineCommand } from "citty";
import { Resque } from "../../client/resque.ts";
import { currentRuntime } from "../../runtime/detect.ts";
import { httpFor } from "../../runtime/http.ts";
import { createWebApp, normalizeBasePath } from "../../web/app.ts";
import { isLoopbackName } from "../../web/security.ts";
import { say } from "../kit/console.ts";
import { reportError, UsageError } from "../kit/errors.ts";
import { connectOptionsFrom, locationArgs, locationFrom, redisConnectArgs } from "../kit/redis-options.ts";
import { argsOf } from "../kit/setting-args.ts";
import { WEB_SETTINGS } from "../../settings/web.ts";

export const DEFAULT_PORT = 5678;

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach them. */
export const isLoopback = isLoopbackName;

/** Characters that are not white space: what makes a secret hard to guess. */
const nonSpace = (text: string): number => text.replace(/\s/g, "").length;

/** Every --allowed-host value (repeatable, or comma-separated), trimmed, blanks refused. */
function allowedHosts(value: unknown): string[] {
  const given = (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
  const names = given.flatMap((v) => v.split(",")).map((h) => h.trim());
  if (names.some((h) => h === "" || /[\s/]/.test(h)))
    throw new UsageError(
      `--allowed-host wants a host name such as resque.example.com (repeat the flag for more), got "${given.join(",")}".`,
    );
  return names;
}

export interface WebSettings {
  host: string;
  port: number;
  basePath: string;
  readOnly: boolean;
  basic?: string;
  token?: string;
  /** Host names served besides loopback ones (--host and --allowed-host); see web/security.ts hostGate. */
  allowedHosts: string[];
}

/** The flags checked before anything starts; every refusal says why and what to pass. */
export function webSettings(args: Record<string, unknown>): WebSettings {
  const host = String(args["host"] ?? "127.0.0.1").trim();
  if (host === "") throw new UsageError("--host needs an address, e.g. --host 127.0.0.1 or --host 0.0.0.0.");
  const portText = String(args["port"] ?? DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535)
    throw new UsageError(`--port wants a TCP port from 0 to 65535 (0: any free port), got "${portText}".`);
  const basic = typeof args["auth"] === "string" ? args["auth"] : undefined;
  if (basic !== undefined && !/^[^:]+:.+$/.test(basic))
    throw new UsageError(
      "--auth wants user:password (both non-empty; the user may not contain a colon), e.g. --auth admin:$(openssl rand -hex 16).",
    );
  if (basic !== undefined && nonSpace(basic.slice(basic.indexOf(":") + 1)) < 16) {
    throw new UsageError(
      "--auth's password wants at least 16 characters that are not spaces (a guessable password is no protection); e.g. --auth admin:$(openssl rand -hex 16).",
    );
  }
  const token = typeof args["token"] === "string" ? args["token"] : undefined;
  if (token !== undefined && nonSpace(token) < 16)
    throw new UsageError(
      "--token wants at least 16 characters that are not spaces (a blank or guessable token is no protection); e.g. --token $(openssl rand -hex 16).",
    );
  const basePath = typeof args["base-path"] === "string" ? args["base-path"] : "";
  if (basePath && !/^\/?[A-Za-z0-9._~\-/]*$/.test(basePath))
    throw new UsageError(`--base-path wants a URL path such as /resque, got "${basePath}".`);
  if (!isLoopback(host) && !basic && !token) {
    throw new UsageError(
      `Refusing to serve the dashboard on ${host} without authentication: anyone who can reach that address could retry, delete and read jobs. ` +
        "Pass --auth user:password or --token TOKEN (or --host 127.0.0.1 to serve this machine only).",
    );
  }
  // The listening address is a name the dashboard is reached by (unless it is a wildcard).
  const named = host === "0.0.0.0" || host === "::" || host === "[::]" ? [] : [host];
  return {
    host,
    port,
    basePath: normalizeBasePath(basePath),
    readOnly: Boolean(args["read-only"]),
    allowedHosts: [...named, ...allowedHosts(args["allowed-host"])],
    ...(basic !== undefined && { basic }),
    ...(token !== undefined && { token }),
  };
}

export const webCommand = defineCommand({
  meta: {
    name: "web",
    description: [
      "Serve the dashboard: overview with a live graph, working, failed, queues, workers, stats, delayed, schedules, metrics;",
      "JSON under /api, server-sent events at /stream, Prometheus text at /metrics.",
      "Serves 127.0.0.1 only unless --host says otherwise, and then only with --auth or --token.",
      "Example: resque web --port 5678 --read-only",
    ].join("\n"),
  },
  args: {
    host: {
      type: "string",
      default: "127.0.0.1",
      valueHint: "ADDRESS",
      description: "Address to listen on (a non-loopback one needs --auth or --token)",
    },
    port: { type: "string", default: String(DEFAULT_PORT), valueHint: "PORT", description: "Port to listen on (0: any free port)" },
    ...locationArgs,
    "base-path": {
      type: "string",
      valueHint: "PATH",
      description: "Mounted behind a proxy at PATH (e.g. /resque): every link, form and asset uses it",
    },
    "allowed-host": {
      type: "string",
      valueHint: "NAME",
      description:
        "Also answer to this Host name (repeatable); without --auth/--token only loopback names and --host are served (DNS rebinding defence)",
    },
    "read-only": { type: "boolean", description: "Hide every action and refuse every POST (403)" },
    ...argsOf(WEB_SETTINGS, "web"),
    ...redisConnectArgs,
  },
  async run({ args, rawArgs }) {
    const runtime = currentRuntime();
    // citty keeps only the last of a repeated flag; the dispatcher hands every one over as --name=value.
    const flagsOnly = rawArgs.includes("--") ? rawArgs.slice(0, rawArgs.indexOf("--")) : rawArgs;
    const allowed = flagsOnly.filter((t) => t.startsWith("--allowed-host=")).map((t) => t.slice("--allowed-host=".length));
    const settings = webSettings({
      ...args,
      "allowed-host": allowed.length > 0 ? allowed : args["allowed-host"],
      auth: args.auth ?? runtime.env(WEB_SETTINGS.auth.env[0]),
      token: args.token ?? runtime.env(WEB_SETTINGS.token.env[0]),
    });
    const resque = new Resque({
      ...connectOptionsFrom((name) => runtime.env(name), args as Record<string, unknown>),
      ...locationFrom((name) => runtime.env(name), args),
      // Check Redis once at start (fail fast with advice); a long-running server then rides out outages.
      outage: "fail",
      environment: runtime.env("RAILS_ENV") ?? runtime.env("RACK_ENV") ?? "development",
    });
    try {
      await resque.connect();
    } catch (error) {
      resque.db.redis.disconnect();
      runtime.setExitCode(reportError(error));
      return;
    }
    const web = createWebApp({
      resque,
      basePath: settings.basePath,
      readOnly: settings.readOnly,
      auth: { ...(settings.basic && { basic: settings.basic }), ...(settings.token && { token: settings.token }) },
      allowedHosts: settings.allowedHosts,
      lockPrefix: runtime.env("RESQUE_SCHEDULER_MASTER_LOCK_PREFIX") || undefined,
    });
    const serve = await httpFor(runtime.name);
    let server;
    try {
      server = await serve({ fetch: web.fetch, hostname: settings.host, port: settings.port });
    } catch (error) {
      web.close();
      resque.db.redis.disconnect();
      const code = (error as { code?: string }).code;
      const why =
        code === "EADDRINUSE" || /in use/i.test(String(error))
          ? `port ${settings.port} is in use; pass --port PORT (0 picks a free one)`
          : (error as Error).message;
      runtime.setExitCode(reportError(new UsageError(`Cannot listen on ${settings.host}:${settings.port}: ${why}.`)));
      return;
    }
    const shown = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
    say.info(
      `Dashboard at http://${shown}:${server.port}${settings.basePath}/ (namespace ${resque.db.keys.namespace}${settings.readOnly ? ", read-only" : ""}${settings.basic ? ", Basic auth" : ""}${settings.token ? ", token" : ""}); Ctrl-C to stop.`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      for (const signal of ["INT", "TERM", "QUIT"] as const) runtime.onSignal(signal, stop);
    });
    web.close();
    await server.close();
    resque.db.redis.disconnect();
  },
});
