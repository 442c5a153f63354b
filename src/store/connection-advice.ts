/**
 * What to tell the user when a connection to Redis fails: each way it fails (refused, silent,
 * authentication, TLS) gets a message that is the advice. Never includes the password.
 */
import type { ResqueErrorCode } from "../errors.ts";
import { isReplyTimeout } from "./ioredis-internals.ts";
import { hostPort, type RedisLocation } from "./location.ts";

/** What a message needs to know about the connection. */
export interface ConnectionFacts {
  location: RedisLocation;
  timeoutMs: number;
  tls: boolean;
}

export interface Advice {
  code: Extract<ResqueErrorCode, "REDIS_UNREACHABLE" | "REDIS_AUTH" | "REDIS_TLS" | "REDIS_LOCATION">;
  message: string;
}

const RAISE = "or raise REDIS_TIMEOUT / --redis-timeout.";
const TLS_FLAGS = "--tls-ca / --tls-cert / --tls-key (REDIS_TLS_CA / REDIS_TLS_CERT / REDIS_TLS_KEY)";
const CLIENT_CERT = "--tls-cert and --tls-key (REDIS_TLS_CERT / REDIS_TLS_KEY)";

/**
 * `beforeReady`: the error came before the connection was usable (handshake, AUTH, TLS), so a
 * reset on a TLS connection most likely means the server refused our certificate.
 */
export function failureAdvice(facts: ConnectionFacts, cause: unknown, beforeReady = true): Advice {
  const at = `Redis at ${facts.location.address}`;
  const code = typeof (cause as { code?: unknown } | undefined)?.code === "string" ? (cause as { code: string }).code : "";
  const text = cause instanceof Error ? cause.message : String(cause ?? "");
  const why = detail(text, facts.location.password);
  const within = `within ${facts.timeoutMs / 1000} s`;

  const sentinel = facts.location.sentinel;
  if (sentinel && /All sentinels are unreachable/.test(text)) {
    const asked = sentinel.nodes.map(hostPort).join(", ");
    return unreachable(
      `No sentinel at ${asked} gave the address of master "${sentinel.masterName}" (${detail(text, sentinel.password)}); check the sentinels' addresses and that they monitor a master of that name (sentinel monitor <name> ...) in --redis / REDIS_URL (redis+sentinel://host:port,host:port/<master>).`,
    );
  }
  if (/^NOAUTH\b/.test(text)) {
    return auth(
      `${at} requires a password (NOAUTH): authentication failed; give the user and password in --redis / REDIS_URL (redis://user:password@host:port).`,
    );
  }
  if (/^WRONGPASS\b|invalid (username-)?password|without any password configured/i.test(text)) {
    return auth(`${at} refused authentication (${why}): authentication failed; check the user and password in --redis / REDIS_URL.`);
  }
  if (/DB index is out of range/i.test(text)) {
    return {
      code: "REDIS_LOCATION",
      message: `${at} has no database ${facts.location.db} (${why}); give a database number it has in --redis / REDIS_URL (redis://host:port/0).`,
    };
  }
  if (isReplyTimeout(text)) {
    const server = facts.tls ? "a Redis server with TLS on this port" : "a Redis server";
    return unreachable(`${at} accepted the connection but did not answer ${within}; check that it is ${server}, ${RAISE}`);
  }
  if (code === "ETIMEDOUT") {
    return unreachable(
      facts.tls
        ? `${at} did not complete the connection and TLS handshake ${within}; check the host and port, that this port serves TLS (a plain server needs redis:// and no --tls-* flags), ${RAISE}`
        : `${at} did not accept the connection ${within}; check the host, the port and any firewall, ${RAISE}`,
    );
  }
  if (/ALERT_CERTIFICATE_REQUIRED/.test(code)) {
    return tls(`${at} requires a TLS client certificate (${why}); pass one signed by its CA with ${CLIENT_CERT}.`);
  }
  if (
    /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR)/.test(
      code,
    )
  ) {
    return tls(`${at} rejected our TLS client certificate (${why}); pass one signed by its CA with ${CLIENT_CERT}.`);
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME_MISMATCH/.test(code) && !/^ERR_OSSL/.test(code)) {
    return tls(
      `${at} presented a TLS certificate that could not be verified (${why}); pass the CA that signed it with --tls-ca (REDIS_TLS_CA), and connect by a name or IP address the certificate lists.`,
    );
  }
  if (/^ERR_OSSL/.test(code)) {
    return tls(
      `Cannot use the TLS files given (${why}); check that ${TLS_FLAGS} are PEM files and that the key belongs to the certificate.`,
    );
  }
  if (/^ERR_(SSL|TLS)_/.test(code)) {
    return tls(`${at}: the TLS handshake failed (${why}); check that this port serves TLS, and the files given with ${TLS_FLAGS}.`);
  }
  if (beforeReady && (code === "ECONNRESET" || code === "EPIPE")) {
    if (facts.tls) {
      // Node reports a server's refusal of a missing or unknown client certificate (TLS 1.3) only as a reset.
      return tls(
        `${at} reset the TLS connection during the handshake (${why}); it probably requires a client certificate signed by its CA: pass ${CLIENT_CERT}, and check --tls-ca (REDIS_TLS_CA).`,
      );
    }
    return unreachable(
      `${at} closed the connection before answering (${why}); if it serves TLS, use a rediss:// URL (and --tls-ca etc. as needed); otherwise check that it is a Redis server.`,
    );
  }
  const how = code === "ECONNREFUSED" ? "refused the connection" : "is not reachable";
  return unreachable(`${at} ${how}${why ? ` (${why})` : ""}; start redis-server or pass --redis URL (REDIS_URL).`);
}

const auth = (message: string): Advice => ({ code: "REDIS_AUTH", message });
const tls = (message: string): Advice => ({ code: "REDIS_TLS", message });
const unreachable = (message: string): Advice => ({ code: "REDIS_UNREACHABLE", message });

// The part of a message we do not write ourselves: one line, short, and never the password.
function detail(text: string, password: string | undefined): string {
  let line = (text.split("\n")[0] ?? "").trim();
  if (password) line = line.replaceAll(password, "***");
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
