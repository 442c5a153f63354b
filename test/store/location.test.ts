import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRedisLocation } from "../../src/store/location.ts";

describe("Redis locations stock accepts", () => {
  it("reads URLs with user, password and db", () => {
    const l = parseRedisLocation("rediss://me:s%40cret@cache.local:6380/3");
    assert.deepEqual([l.host, l.port, l.db, l.username, l.password, l.tls], ["cache.local", 6380, 3, "me", "s@cret", true]);
  });
  it("reads host:port, host:port:db and host:port/namespace", () => {
    assert.deepEqual([parseRedisLocation("h:7000").port, parseRedisLocation("h:7000").db], [7000, 0]);
    assert.equal(parseRedisLocation("h:7000:5").db, 5);
    assert.equal(parseRedisLocation("h:7000/resque:GitHub").namespace, "resque:GitHub");
    assert.equal(parseRedisLocation(undefined).address, "127.0.0.1:6379");
  });
  it("says what is wrong and which forms work, without echoing a password", () => {
    assert.throws(() => parseRedisLocation("http://h:1"), /only redis:\/\/ and rediss:\/\/.*host:port\/namespace/);
    assert.throws(() => parseRedisLocation("h:notaport"), /port "notaport"/);
    assert.throws(() => parseRedisLocation("h:1:x"), /database "x"/);
    assert.throws(
      () => parseRedisLocation("redis://u:topsecret@h:99999"),
      (e: Error) => !e.message.includes("topsecret"),
    );
  });
  it("refuses a URL missing part of its :// instead of reading a server named redis", () => {
    assert.throws(() => parseRedisLocation("redis//cache.local:6380"), /did you mean redis:\/\/cache\.local:6380\?/);
    assert.throws(() => parseRedisLocation("rediss:/cache.local:6380/2"), /did you mean rediss:\/\/cache\.local:6380\/2\?/);
    assert.throws(
      () => parseRedisLocation("redis:/u:topsecret@h:1"),
      (e: Error) => !e.message.includes("topsecret"),
    );
    assert.equal(parseRedisLocation("redis:6379").host, "redis", "a server named redis is still fine");
    assert.equal(parseRedisLocation("redis/ns").namespace, "ns");
  });
});
