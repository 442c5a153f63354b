/** Where Redis is and how to reach it: read by every process and every command that uses Redis. */
import { settings } from "./setting.ts";

const everyone = ["master", "worker", "scheduler", "web", "command"] as const;

export const CONNECTION_SETTINGS = settings({
  redis: {
    env: ["REDIS_URL"],
    flag: "redis",
    kind: "string",
    valueHint: "URL",
    default: "redis://127.0.0.1:6379/0",
    help: "Redis location (REDIS_URL, default redis://127.0.0.1:6379/0)",
    roles: everyone,
  },
  namespace: {
    env: ["RESQUE_NAMESPACE"],
    flag: "namespace",
    kind: "string",
    valueHint: "NS",
    default: "resque",
    help: "Key namespace (RESQUE_NAMESPACE, default resque)",
    roles: everyone,
  },
  tlsCa: {
    env: ["REDIS_TLS_CA"],
    flag: "tls-ca",
    kind: "string",
    valueHint: "FILE",
    help: "PEM file of the CA that signed the Redis server's certificate; turns TLS on (REDIS_TLS_CA)",
    roles: everyone,
  },
  tlsCert: {
    env: ["REDIS_TLS_CERT"],
    flag: "tls-cert",
    kind: "string",
    valueHint: "FILE",
    help: "PEM client certificate, for a server with tls-auth-clients; turns TLS on (REDIS_TLS_CERT)",
    roles: everyone,
  },
  tlsKey: {
    env: ["REDIS_TLS_KEY"],
    flag: "tls-key",
    kind: "string",
    valueHint: "FILE",
    help: "PEM key of --tls-cert (REDIS_TLS_KEY)",
    roles: everyone,
  },
  redisTimeout: {
    env: ["REDIS_TIMEOUT"],
    flag: "redis-timeout",
    kind: "number",
    valueHint: "SECONDS",
    default: 5,
    help: "Seconds to wait for Redis to connect or answer, fractions allowed (REDIS_TIMEOUT, default 5)",
    roles: everyone,
  },
});
