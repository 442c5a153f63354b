import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson, decodeJson, encodeJson, float, formatRubyFloat, rawMembers, withMember } from "../../src/protocol/index.ts";

describe("JSON as Ruby writes it", () => {
  it("formats floats exactly as Ruby 3.1's JSON.generate (values captured from Ruby)", () => {
    const ruby: [number, string][] = [
      [1.0, "1.0"],
      [1e20, "1.0e+20"],
      [1e15, "1.0e+15"],
      [1e16, "1.0e+16"],
      [1e14, "100000000000000.0"],
      [0.0001, "0.0001"],
      [0.00001, "1.0e-05"],
      [123.456, "123.456"],
      [-0.0, "-0.0"],
      [2.5e-300, "2.5e-300"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [123456789012345.6, "123456789012345.6"],
      [1234567890123456.7, "1234567890123456.8"],
      [1.1e15, "1.1e+15"],
      [1234567890123456.0, "1.234567890123456e+15"],
      [12345678901234567.0, "1.2345678901234568e+16"],
      [5e-324, "5.0e-324"],
      [0.1, "0.1"],
      [1.5e-4, "0.00015"],
      [1.2345e-5, "1.2345e-05"],
      [999000000000000.0, "999000000000000.0"],
    ];
    for (const [value, expected] of ruby) assert.equal(formatRubyFloat(value), expected, `for ${value}`);
  });

  it("encodes strings, nesting and integers the way Ruby does (no spaces, / unescaped, raw UTF-8)", () => {
    assert.equal(encodeJson(['é/\u2028\u0001\u007f"\\', { a: null, b: true }]), '["é/\u2028\\u0001\u007f\\"\\\\",{"a":null,"b":true}]');
    assert.equal(
      encodeJson([1, -2, 0, 2.5, float(1), float(1e20), 10n ** 30n]),
      "[1,-2,0,2.5,1.0,1.0e+20,1000000000000000000000000000000]",
    );
    assert.equal(encodeJson({ skip: undefined, keep: [undefined] }), '{"keep":[null]}');
    assert.throws(() => encodeJson([Number.NaN]), /not allowed/);
  });

  it("keeps integers beyond 2^53 exact through decode and encode", () => {
    const text = '{"class":"Snowflake","args":[9007199254740993,-18446744073709551617,1.5,"12345678901234567890"]}';
    const value = decodeJson(text) as { args: unknown[] };
    assert.equal(value.args[0], 9007199254740993n);
    assert.equal(value.args[1], -18446744073709551617n);
    assert.equal(value.args[3], "12345678901234567890");
    assert.equal(encodeJson(value), text);
  });

  it("rewrites a document canonically without touching digits or key order", () => {
    assert.equal(
      canonicalJson('{ "b" : 1, "1":[1.0, 1e20, 9007199254740993], "s":"\\u00e9\\/" }'),
      '{"b":1,"1":[1.0,1.0e+20,9007199254740993],"s":"é/"}',
    );
    assert.throws(() => canonicalJson("{nope"));
  });

  it("reads and replaces top-level members as raw text", () => {
    const members = rawMembers('{"a":{"x":[1,"}"]},"b":"q","c":9007199254740993}');
    assert.deepEqual(
      [...members],
      [
        ["a", '{"x":[1,"}"]}'],
        ["b", '"q"'],
        ["c", "9007199254740993"],
      ],
    );
    assert.equal(withMember('{"a":1,"b":2}', "a", "3"), '{"a":3,"b":2}');
    assert.equal(withMember('{"a":1.0}', "z", '"t"'), '{"a":1.0,"z":"t"}');
  });
});
