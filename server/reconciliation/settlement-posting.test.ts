// The settlement posting of any balance transaction is balanced, with positive entries only.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { settlementPosting } from "./ingest";

const row = (type: string, amount: bigint, fee: bigint) => ({
  pspId: "txn_1",
  type,
  sourceId: "ch_1",
  amount,
  fee,
  net: amount - fee,
  currency: "usd",
  createdAt: new Date(0),
});

describe("settlementPosting", () => {
  it("posts a charge as bank net + fee expense against clearing gross", () => {
    expect(settlementPosting(row("charge", 10_000n, 320n))?.entries).toEqual([
      { account: "platform_bank", direction: "DEBIT", amount: 9_680n }, // $96.80
      { account: "psp_fee_expense", direction: "DEBIT", amount: 320n }, // $3.20
      { account: "psp_clearing", direction: "CREDIT", amount: 10_000n }, // $100.00
    ]);
  });

  it("is balanced with positive entries for any amount and fee, or posts nothing", () => {
    const types = fc.constantFrom("charge", "refund", "refund_failure", "transfer", "payout");
    const money = fc.bigInt({ min: -1_000_000_000_000n, max: 1_000_000_000_000n });
    fc.assert(
      fc.property(types, money, money, (type, amount, fee) => {
        const posting = settlementPosting(row(type, amount, fee));
        if (!posting) return;
        const sum = (direction: string) =>
          posting.entries
            .filter((entry) => entry.direction === direction)
            .reduce((total, entry) => total + entry.amount, 0n);
        expect(posting.entries.every((entry) => entry.amount > 0n)).toBe(true);
        expect(sum("DEBIT")).toBe(sum("CREDIT"));
      }),
    );
  });

  it("posts nothing for transfers and payouts (the payout domain posts those)", () => {
    expect(settlementPosting(row("transfer", -5_000n, 0n))).toBeNull();
    expect(settlementPosting(row("payout", -5_000n, 0n))).toBeNull();
  });
});
