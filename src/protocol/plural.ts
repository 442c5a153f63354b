/** "1 job", "2 jobs": a count with its noun in the right number, for log lines and CLI output. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
