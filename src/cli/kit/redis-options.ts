/** How to reach Redis: one definition of the connection flags (--redis, --namespace, TLS files, timeout) and their reading, flags winning over env. */
import { readFileSync } from "node:fs";
import { ResqueError } from "../../errors.ts";
import { CONNECTION_SETTINGS } from "../../settings/connection.ts";
import { DEFAULT_TIMEOUT_MS, type TlsFiles } from "../../store/connection.ts";
import { argsOf } from "./setting-args.ts";

const C = CONNECTION_SETTINGS;

/** --redis and --namespace: where Redis is, for every command that reaches it. */
export const locationArgs = argsOf({ redis: C.redis, namespace: C.namespace }, "");

/** --tls-ca, --tls-cert, --tls-key and --redis-timeout: how to reach Redis, for every command that reaches it. */
export const redisConnectArgs = argsOf({ tlsCa: C.tlsCa, tlsCert: C.tlsCert, tlsKey: C.tlsKey, redisTimeout: C.redisTimeout }, "");

/** The environment variables behind redisConnectArgs, by flag. */
export const REDIS_CONNECT_ENV = {
  "tls-ca": C.tlsCa.env[0],
  "tls-cert": C.tlsCert.env[0],
  "tls-key": C.tlsKey.env[0],
  "redis-timeout": C.redisTimeout.env[0],
} as const;

/** --redis and --namespace, else REDIS_URL and RESQUE_NAMESPACE (as set, even empty), for a command's connection. */
export function locationFrom(
  env: (name: string) => string | undefined,
  args: { redis?: string | undefined; namespace?: string | undefined },
): { redis: string | undefined; namespace: string | undefined } {
  return { redis: args.redis ?? env(C.redis.env[0]), namespace: args.namespace ?? env(C.namespace.env[0]) };
}

type Flag = keyof typeof REDIS_CONNECT_ENV;

const DEFAULT_SECONDS = DEFAULT_TIMEOUT_MS / 1000;
// setTimeout's limit: a longer delay fires at once.
const MAX_SECONDS = 2_147_483;

/** ConnectOptions' timeoutMs and tls from flags (winning) and env; reads the PEM files now. */
export function connectOptionsFrom(
  env: (name: string) => string | undefined,
  flags: Record<string, unknown>,
): { timeoutMs: number; tls?: TlsFiles } {
  const setting = (flag: Flag): { value: string; from: string } | undefined => {
    const given = flags[flag];
    if (typeof given === "string" && given !== "") return { value: given, from: `--${flag}` };
    const value = env(REDIS_CONNECT_ENV[flag]);
    return value ? { value, from: REDIS_CONNECT_ENV[flag] } : undefined;
  };
  const timeoutMs = timeoutFrom(setting("redis-timeout"));
  const tls: TlsFiles = {};
  const ca = setting("tls-ca");
  const cert = setting("tls-cert");
  const key = setting("tls-key");
  if (Boolean(cert) !== Boolean(key)) {
    throw new ResqueError(
      "BAD_CONFIG",
      `A TLS client certificate needs its key: give both --tls-cert and --tls-key (REDIS_TLS_CERT and REDIS_TLS_KEY), or neither.`,
    );
  }
  if (ca) tls.ca = pem("tls-ca", "CA certificate", ca.value);
  if (cert) tls.cert = pem("tls-cert", "client certificate", cert.value);
  if (key) tls.key = pem("tls-key", "client key", key.value);
  return Object.keys(tls).length > 0 ? { timeoutMs, tls } : { timeoutMs };
}

function timeoutFrom(setting: { value: string; from: string } | undefined): number {
  if (!setting) return DEFAULT_TIMEOUT_MS;
  const seconds = Number(setting.value.trim());
  const ms = Math.round(seconds * 1000);
  if (setting.value.trim() === "" || !Number.isFinite(seconds) || ms < 1 || seconds > MAX_SECONDS) {
    const example = setting.from.startsWith("--") ? `${setting.from} 0.5` : `${setting.from}=0.5`;
    throw new ResqueError(
      "BAD_CONFIG",
      `${setting.from} "${setting.value}" is not a timeout: give seconds above 0 and at most ${MAX_SECONDS}, fractions allowed (e.g. ${example}; default ${DEFAULT_SECONDS}).`,
    );
  }
  return ms;
}

const READ_ERRORS: Record<string, string> = { ENOENT: "no such file", EACCES: "permission denied", EISDIR: "it is a directory" };

function pem(flag: Flag, what: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    const why = READ_ERRORS[code] ?? (error instanceof Error ? error.message : String(error));
    throw new ResqueError(
      "BAD_CONFIG",
      `Cannot read the TLS ${what} "${path}" given by --${flag} (${REDIS_CONNECT_ENV[flag]}): ${why}; give the path of a readable PEM file.`,
      { cause: error },
    );
  }
}
