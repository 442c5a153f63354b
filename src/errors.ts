/** The few error types users see; each message is the advice. */
export type ResqueErrorCode =
  | "REDIS_LOCATION"
  | "REDIS_UNREACHABLE"
  /** Redis refused the user or password (WRONGPASS, NOAUTH). */
  | "REDIS_AUTH"
  /** The TLS handshake failed: an untrusted server certificate, or the server refused ours. */
  | "REDIS_TLS"
  | "NO_QUEUE"
  | "NO_CLASS"
  | "BAD_CONFIG"
  | "JOB_MODULE"
  /** No such worker, or one this process cannot act on (a stock Ruby worker). */
  | "NO_WORKER"
  /** The worker runs no such job. */
  | "NO_JOB";

export class ResqueError extends Error {
  override name = "ResqueError";
  readonly code: ResqueErrorCode;
  constructor(code: ResqueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
