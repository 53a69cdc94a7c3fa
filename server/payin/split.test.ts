import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commissionFor, splitCart } from "./split";

describe("splitCart", () => {
  it("makes one order per seller with the seller's commission", () => {
    const orders = splitCart(
      [
        { productId: "p1", name: "Mug", sellerId: "s1", unitPrice: 1450n, quantity: 2 }, // $29.00
        { productId: "p2", name: "Book", sellerId: "s2", unitPrice: 2899n, quantity: 1 }, // $28.99
        { productId: "p3", name: "Tote", sellerId: "s1", unitPrice: 2400n, quantity: 1 }, // $24.00
      ],
      new Map([
        ["s1", 1000],
        ["s2", 800],
      ]),
    );
    expect(orders.map((order) => [order.sellerId, order.amount, order.commission])).toEqual([
      ["s1", 5300n, 530n], // $53.00, 10 %
      ["s2", 2899n, 231n], // $28.99, 8 % = 231.92 → 231
    ]);
  });

  it("never loses or invents a cent, whatever the cart", () => {
    const line = fc.record({
      sellerId: fc.constantFrom("a", "b", "c"),
      unitPrice: fc.bigInt({ min: 1n, max: 10_000_000n }),
      quantity: fc.integer({ min: 1, max: 99 }),
    });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 10_000 }),
        (lines, bps) => {
          const cart = lines.map((item, index) => ({ ...item, productId: `p${index}`, name: "x" }));
          const orders = splitCart(cart, new Map(["a", "b", "c"].map((seller) => [seller, bps])));
          const total = cart.reduce((sum, item) => sum + item.unitPrice * BigInt(item.quantity), 0n);
          expect(orders.reduce((sum, order) => sum + order.amount, 0n)).toBe(total);
          for (const order of orders) {
            expect(order.commission).toBe(commissionFor(order.amount, bps));
            expect(order.commission >= 0n && order.commission <= order.amount).toBe(true);
          }
        },
      ),
    );
  });
});
