import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { locationUrl, parseRedisLocation } from "../../src/store/location.ts";

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
    assert.throws(
      () => parseRedisLocation("http://h:1"),
      /only redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/ and redis\+cluster:\/\/ URLs.*host:port\/namespace/,
    );
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
  it("reads redis+sentinel:// URLs: sentinels, master, db, the master's and the sentinels' credentials", () => {
    const l = parseRedisLocation(
      "rediss+sentinel://me:s%40cret@10.0.0.1:26380,sentinel-b,[::1]:26381/mymaster/3?sentinelPassword=sp&sentinelUsername=su",
    );
    assert.deepEqual(l.sentinel, {
      nodes: [
        { host: "10.0.0.1", port: 26380 },
        { host: "sentinel-b", port: 26379 },
        { host: "::1", port: 26381 },
      ],
      masterName: "mymaster",
      username: "su",
      password: "sp",
    });
    assert.deepEqual([l.db, l.tls, l.username, l.password], [3, true, "me", "s@cret"]);
    assert.equal(l.address, "mymaster via sentinel 10.0.0.1:26380,sentinel-b:26379,[::1]:26381");
    assert.equal(locationUrl(l), "rediss+sentinel://10.0.0.1:26380,sentinel-b:26379,[::1]:26381/mymaster/3", "no credentials in views");
    assert.equal(parseRedisLocation("redis+sentinel://h/m").db, 0);
  });
  it("refuses a Sentinel URL without a master, with a bad port or parameter, never echoing a password", () => {
    assert.throws(() => parseRedisLocation("redis+sentinel://h:26379"), /names the master after the sentinels/);
    assert.throws(() => parseRedisLocation("redis+sentinel://h:26379/m/0/x"), /only a database number may follow/);
    assert.throws(() => parseRedisLocation("redis+sentinel://h:0/m"), /sentinel port "0"/);
    assert.throws(() => parseRedisLocation("redis+sentinel://h:1/m?role=slave"), /unknown parameter role/);
    assert.throws(
      () => parseRedisLocation("redis+sentinel://u:topsecret@h:1/m/x?sentinelPassword=alsosecret"),
      (e: Error) => /database "x"/.test(e.message) && !e.message.includes("topsecret") && !e.message.includes("alsosecret"),
    );
  });
  it("reads redis+cluster:// URLs: startup nodes and the nodes' credentials, database 0 only", () => {
    const l = parseRedisLocation("rediss+cluster://me:s%40cret@10.0.0.1:7000,node-b,[::1]:7002");
    assert.deepEqual(l.cluster, {
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "node-b", port: 6379 },
        { host: "::1", port: 7002 },
      ],
    });
    assert.deepEqual([l.username, l.password, l.tls, l.db], ["me", "s@cret", true, 0]);
    assert.equal(l.address, "cluster 10.0.0.1:7000,node-b:6379,[::1]:7002");
    assert.equal(locationUrl(l), "rediss+cluster://10.0.0.1:7000,node-b:6379,[::1]:7002", "no credentials in views");
    assert.equal(parseRedisLocation("redis+cluster://h:1/0").db, 0);
    assert.throws(() => parseRedisLocation("redis+cluster://h:1/2"), /database 0 only/);
    assert.throws(() => parseRedisLocation("redis+cluster://h:1?x=1"), /takes no parameters/);
    assert.throws(
      () => parseRedisLocation("redis+cluster://u:topsecret@h:0"),
      (e: Error) => /cluster node port "0"/.test(e.message) && !e.message.includes("topsecret"),
    );
  });
});
