/**
 * The dashboard's defences: strict headers (Hono's secureHeaders), who may look (Basic auth or a
 * token), and who may change anything (POST only, a CSRF token, a same-origin check, read-only mode).
 */
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";

/** CSP with no inline script or style at all: every script and stylesheet is a file this server serves. */
export const securityHeaders = (): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: "DENY",
    xContentTypeOptions: "nosniff",
    referrerPolicy: "same-origin",
    crossOriginResourcePolicy: "same-origin",
  });

const encoder = new TextEncoder();

/** Equal strings, in time that depends only on their lengths' digests (both are hashed first). */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([a, b].map(async (s) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(s)))));
  let diff = 0;
  for (let i = 0; i < x!.length; i++) diff |= x![i]! ^ y![i]!;
  return diff === 0;
}

export interface AuthOptions {
  /** `user:password` for HTTP Basic. */
  basic?: string;
  /** A bearer token, also accepted as ?token= (then kept in a same-site cookie so links work). */
  token?: string;
}

const TOKEN_COOKIE = "resque_web_token";

/** 127.0.0.0/8, ::1 and localhost: names only this machine answers to. */
export const isLoopbackName = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/** The host name of a Host header, lower-cased, without its port: "[::1]:5678" -> "[::1]", "Example:80" -> "example". */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1 || undefined);
  const colon = h.indexOf(":");
  // Two colons or more: a bare IPv6 address (not valid in Host, but compared whole rather than cut).
  return colon >= 0 && h.indexOf(":", colon + 1) < 0 ? h.slice(0, colon) : h;
}

/** A name given to --host / --allowed-host as a Host header carries it (an IPv6 address in brackets). */
const allowedName = (given: string): string => {
  const h = given.trim();
  return hostName(h.indexOf(":") !== h.lastIndexOf(":") && !h.startsWith("[") ? `[${h}]` : h);
};

/**
 * DNS rebinding defence: without authentication, answer only requests whose Host is a loopback
 * name or one of `allowed` (what --host and --allowed-host name). A page on another site that
 * rebinds its own name to 127.0.0.1 still sends that name as Host, so it is refused here before
 * it can read a page (and the CSRF token in it). With authentication on, any Host is served.
 */
export function hostGate(allowed: readonly string[] | "any"): MiddlewareHandler {
  if (allowed === "any") return (_c, next) => next();
  const names = new Set(allowed.map(allowedName));
  return async (c, next) => {
    const header = c.req.header("host");
    // No Host at all (HTTP/1.0 tools): not a browser, so not a rebinding page.
    if (header === undefined) return next();
    const name = hostName(header);
    if (isLoopbackName(name) || names.has(name)) return next();
    return c.text(
      `Refused: this dashboard answers to localhost, 127.0.0.1 and [::1]${names.size > 0 ? ` and ${[...names].join(", ")}` : ""}, not to "${name}" ` +
        "(a page of another site can rebind its name to this machine). If you reach it by that name, start it with " +
        `--allowed-host ${name || "NAME"}, or turn on --auth or --token.`,
      421,
    );
  };
}

/** Refuse everyone without the Basic credentials or the token, when either is configured. */
export function authGate(options: AuthOptions, cookiePath: string): MiddlewareHandler {
  return async (c, next) => {
    if (!options.basic && !options.token) return next();
    const header = c.req.header("authorization") ?? "";
    if (options.basic && header.startsWith("Basic ")) {
      let given = "";
      try {
        given = atob(header.slice(6).trim());
      } catch {
        // not base64: refused below
      }
      if (await constantTimeEqual(given, options.basic)) return next();
    }
    if (options.token) {
      const query = c.req.query("token");
      const given = header.startsWith("Bearer ") ? header.slice(7).trim() : (query ?? getCookie(c, TOKEN_COOKIE) ?? "");
      if (given && (await constantTimeEqual(given, options.token))) {
        if (query) setCookie(c, TOKEN_COOKIE, query, { httpOnly: true, sameSite: "Strict", path: cookiePath });
        return next();
      }
    }
    if (options.basic) c.header("WWW-Authenticate", 'Basic realm="resque", charset="UTF-8"');
    return c.text(
      options.basic ? "Authentication required." : "A token is required: pass ?token=TOKEN or Authorization: Bearer TOKEN.",
      401,
    );
  };
}

/** A per-process random secret: the CSRF token every form carries. */
export const newCsrfToken = (): string =>
  [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Every state change is a POST that carries the token (form field `_csrf` or header X-CSRF-Token)
 * and, when the browser says where it came from, comes from this origin. Read-only refuses all POSTs.
 */
export function csrfGate(token: string, readOnly: boolean): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    if (readOnly) return c.text("This dashboard is read-only (--read-only): nothing can be changed from it.", 403);
    if (method !== "POST") return c.text("Only GET and POST are served.", 405);
    const origin = c.req.header("origin");
    if (origin && origin !== "null") {
      let host = "";
      try {
        host = new URL(origin).host;
      } catch {
        // unparseable: refused below
      }
      // Behind a proxy that rewrites Host, X-Forwarded-Host names the host the browser used.
      const hosts = [c.req.header("host"), ...(c.req.header("x-forwarded-host") ?? "").split(",").map((h) => h.trim())];
      if (!host || !hosts.includes(host)) return c.text("Refused: the request came from another origin.", 403);
    } else if (origin === "null" || c.req.header("sec-fetch-site") === "cross-site") {
      return c.text("Refused: the request came from another site.", 403);
    }
    let given = c.req.header("x-csrf-token") ?? "";
    if (!given) {
      const type = c.req.header("content-type") ?? "";
      if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
        const body = await c.req.parseBody();
        given = typeof body["_csrf"] === "string" ? body["_csrf"] : "";
      }
    }
    if (!given || !(await constantTimeEqual(given, token)))
      return c.text("Refused: missing or wrong CSRF token (reload the page and try again).", 403);
    return next();
  };
}
