/**
 * A short fingerprint of an in-flight entry, so a worker process can name a job to its master
 * over IPC without sending the payload (which may be megabytes). cyrb53: fast, pure, 53 bits;
 * two different entries sharing one is harmless (the master would charge the wrong twin).
 */
export function entryToken(entry: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < entry.length; i++) {
    const c = entry.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
