import { describe, expect, it } from "vitest";
import { assessRisk, defaultRiskConfig, type RiskInput } from "./rules";

const base: RiskInput = {
  buyerName: "Ada Lovelace",
  buyerCountry: "GB",
  totalAmount: 5_000n, // $50.00
  recentCheckouts: 0,
  items: [{ quantity: 2, unitPrice: 2_500n }],
};

describe("assessRisk", () => {
  it("allows an ordinary checkout", () => {
    expect(assessRisk(base)).toEqual({ decision: "ALLOW", reasons: [] });
  });

  it("blocks a sanctioned name whatever its spacing and case", () => {
    const result = assessRisk({ ...base, buyerName: "  Ivan   SANCTIONOV " });
    expect(result.decision).toBe("BLOCK");
    expect(result.reasons).toContain("Buyer matches the sanctions screening list");
  });

  it("blocks a sanctioned country", () => {
    expect(assessRisk({ ...base, buyerCountry: "kp" }).decision).toBe("BLOCK");
  });

  it("reviews above the review threshold and blocks above the limit", () => {
    expect(assessRisk({ ...base, totalAmount: defaultRiskConfig.reviewAmount }).decision).toBe("ALLOW");
    expect(assessRisk({ ...base, totalAmount: defaultRiskConfig.reviewAmount + 1n }).decision).toBe("REVIEW");
    expect(assessRisk({ ...base, totalAmount: defaultRiskConfig.blockAmount + 1n }).decision).toBe("BLOCK");
  });

  it("reviews high velocity and unusual baskets, keeping every reason", () => {
    const result = assessRisk({
      ...base,
      recentCheckouts: defaultRiskConfig.velocityLimit,
      items: [{ quantity: 50, unitPrice: 100n }],
    });
    expect(result.decision).toBe("REVIEW");
    expect(result.reasons).toHaveLength(2);
  });

  it("a block outranks a review and keeps the review's reasons", () => {
    const result = assessRisk({ ...base, buyerCountry: "IR", recentCheckouts: 99 });
    expect(result.decision).toBe("BLOCK");
    expect(result.reasons).toHaveLength(2);
  });
});
