/**
 * The message a page shows once after a POST action (Retry, Remove, Run now...): the action sets a
 * short-lived cookie and redirects; the next HTML page shown carries the message at the top of
 * <main> and clears the cookie. Server-rendered, so the strict CSP needs no inline script, and the
 * text is escaped like any other (a cookie is not trusted input either).
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { url, type WebContext } from "./context.ts";
import { escapeHtml } from "./html.ts";

const COOKIE = "resque_web_flash";
/** Long enough for the redirect that follows; a message never read is dropped by then. */
const MAX_AGE_SECONDS = 60;
/** Cookies are small; a message never needs more. */
const MAX_TEXT = 600;

export type FlashKind = "notice" | "error";

/** Leave `text` for the next page shown (call before the redirect). */
export function flash(c: Context, text: string, kind: FlashKind = "notice", path = "/"): void {
  const value = `${kind === "error" ? "e" : "n"}:${text.slice(0, MAX_TEXT)}`;
  setCookie(c, COOKIE, encodeURIComponent(value), { path, httpOnly: true, sameSite: "Strict", maxAge: MAX_AGE_SECONDS });
}

/** After an action: leave its message and send the browser to `to` (a path under the mount point) with a 303. */
export function doneWith(c: Context, ctx: WebContext, to: string, text: string, kind: FlashKind = "notice"): Response {
  flash(c, text, kind, ctx.base || "/");
  return c.redirect(to.startsWith("http") ? to : url(ctx, to), 303);
}

/** The notice's markup (text escaped). */
export function flashHtml(value: string): string {
  const kind = value.startsWith("e:") ? "error" : "notice";
  const text = value.replace(/^[en]:/, "");
  return `<p class="notice flash${kind === "error" ? " error" : ""}" role="${kind === "error" ? "alert" : "status"}">${escapeHtml(text)}</p>\n`;
}

/** Put a waiting message into the next HTML page (GET) and clear it. */
export function flashes(path: string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.req.method !== "GET" || !(c.res.headers.get("content-type") ?? "").startsWith("text/html")) return;
    const raw = getCookie(c, COOKIE);
    if (!raw) return;
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = "";
    }
    const page = await c.res.text();
    const at = page.indexOf("<main>\n");
    const body = value && at >= 0 ? `${page.slice(0, at + 7)}${flashHtml(value)}${page.slice(at + 7)}` : page;
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    c.res = new Response(body, { status: c.res.status, headers });
    deleteCookie(c, COOKIE, { path, httpOnly: true, sameSite: "Strict" });
  };
}
