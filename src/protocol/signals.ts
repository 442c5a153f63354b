/** Linux signal numbers, for stock's DirtyExit message ("... SIGKILL (signal 9)"). */
const NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGCONT: 18,
  SIGSTOP: 19,
};

/** Stock's message for a worker process ended by a signal (Process::Status#to_s). */
export const childSignalMessage = (pid: number, signal: string): string =>
  `Child process received unhandled signal pid ${pid} ${signal} (signal ${NUMBERS[signal] ?? "?"})`;

/** What stock says when a job's process exited on its own without finishing it. */
export const childExitMessage = (pid: number, code: number | null): string =>
  `Child process pid ${pid} exited with status ${code ?? "?"} while processing the job`;
