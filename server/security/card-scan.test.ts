import { describe, expect, it } from "vitest";
import { findCardNumbers, maskCardNumbers, passesLuhn } from "./card-scan";

// A SHA-256 input hash with a Luhn-valid run of digits (the e2e scan once tripped on one).
const digest = `ab4242424242424242cd${"0f".repeat(22)}`;

describe("findCardNumbers", () => {
  it("finds test cards however they are written", () => {
    expect(findCardNumbers("card=4242424242424242&x")).toEqual(["424242…4242"]);
    expect(findCardNumbers("4000 0000 0000 0002")).toEqual(["400000…0002"]);
    expect(findCardNumbers('"number":"3782-822463-10005"')).toEqual(["378282…0005"]);
  });

  it("ignores numbers that fail Luhn or have no card prefix", () => {
    expect(passesLuhn("4242424242424241")).toBe(false);
    expect(findCardNumbers("4242424242424241")).toEqual([]);
    expect(findCardNumbers("amount 1733369999000 at 1733370000123")).toEqual([]);
    expect(findCardNumbers("id 91200456-1234-4123-8123-424242424242")).toEqual([]);
  });

  it("ignores UUIDs whose digits happen to pass as a dashed card number", () => {
    // 4242-424242424242 would pass Luhn if read as a card; as a UUID's tail it is not one.
    expect(findCardNumbers("id 91200456-1234-4123-4242-424242424242")).toEqual([]);
    expect(findCardNumbers("4242-4242-4242-4242")).toEqual(["424242…4242"]);
  });

  it("ignores hex digests whose digits happen to pass as a card number", () => {
    expect(digest).toHaveLength(64);
    expect(findCardNumbers(`{"input_hash":"${digest}"}`)).toEqual([]);
    expect(findCardNumbers(`{"input_hash":"${digest}","note":"4242424242424242"}`)).toEqual(["424242…4242"]);
    // A short hex-looking token is no digest: a card number there still counts.
    expect(findCardNumbers("ref=4242424242424242")).toEqual(["424242…4242"]);
  });

  it("masks card numbers in log lines and leaves digests and UUIDs whole", () => {
    const line = `hash=${digest} id=91200456-1234-4123-4242-424242424242 card=4242 4242 4242 4242`;
    expect(maskCardNumbers(line)).toBe(
      `hash=${digest} id=91200456-1234-4123-4242-424242424242 card=[card redacted]`,
    );
  });

  it("does not cut a card number out of a longer run of digits", () => {
    expect(findCardNumbers("42424242424242420000000")).toEqual([]);
  });
});
