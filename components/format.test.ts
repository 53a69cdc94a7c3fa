import { describe, expect, it } from "vitest";
import {
  countOf,
  formatDate,
  formatDateTime,
  formatMoney,
  formatTime,
  itemsSummary,
  parseMoney,
} from "./format";

describe("formatMoney", () => {
  it("formats minor units exactly, beyond float precision", () => {
    expect(formatMoney(1999n, "usd")).toBe("$19.99");
    expect(formatMoney(-5n, "usd")).toBe("-$0.05");
    expect(formatMoney(900719925474099312n, "usd")).toBe("$9,007,199,254,740,993.12");
  });

  it("knows currencies without minor units", () => {
    expect(formatMoney(1500n, "jpy")).toBe("¥1,500");
  });
});

describe("parseMoney", () => {
  it("reads what people type into exact minor units", () => {
    expect(parseMoney("12.5")).toBe(1250n);
    expect(parseMoney(" 1,024.05 ")).toBe(102405n);
    expect(parseMoney("7")).toBe(700n);
    expect(parseMoney("1.234")).toBeNull();
    expect(parseMoney("-3")).toBeNull();
    expect(parseMoney("1500", "jpy")).toBe(1500n);
  });
});

describe("dates", () => {
  it("are shown in UTC, whatever the machine's time zone", () => {
    const at = new Date("2027-01-01T06:00:00Z");
    expect(formatDate(at)).toBe("1 Jan 2027");
    expect(formatTime(at)).toBe("06:00 UTC");
    expect(formatDateTime(at)).toBe("1 Jan 2027, 06:00 UTC");
  });
});

describe("countOf", () => {
  it("puts the noun in the plural unless the count is one", () => {
    expect(countOf(1, "row")).toBe("1 row");
    expect(countOf(0, "row")).toBe("0 rows");
    expect(countOf(12_000, "new mismatch", "new mismatches")).toBe("12,000 new mismatches");
  });
});

describe("itemsSummary", () => {
  it("lists each item with its quantity, in the order's order", () => {
    const items = [
      { name: "Ceramic mug", quantity: 21, unitPrice: "1450" },
      { name: "Pocket notebook", quantity: 1, unitPrice: "650" },
    ];
    expect(itemsSummary(items)).toBe("Ceramic mug\u00a0×\u00a021, Pocket notebook\u00a0×\u00a01");
    expect(itemsSummary([])).toBe("");
  });
});
