"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { formatMoney } from "@/components/format";
import { useTRPC } from "@/components/trpc";

// The checkout API's limit per line (server/payin/schemas.ts).
const MAX_QUANTITY = 999;

export function ShopView() {
  const trpc = useTRPC();
  const router = useRouter();
  const products = useQuery(trpc.payin.catalog.queryOptions());
  const [cart, setCart] = useState<Record<string, number>>({});
  // One key per checkout attempt: a double click or a network retry reuses it.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [error, setError] = useState<string | null>(null);
  const checkout = useMutation(
    trpc.payin.checkout.mutationOptions({
      // Straight to the PSP's hosted page when it is open; otherwise the checkout page says why
      // (in review, blocked) or waits for the session.
      onSuccess: ({ checkoutId, paymentUrl }) =>
        paymentUrl ? window.location.assign(paymentUrl) : router.push(`/checkout/${checkoutId}`),
      onError: (failure) => setError(failure.message),
    }),
  );
  const lines = useMemo(
    () =>
      (products.data ?? [])
        .filter((product) => (cart[product.id] ?? 0) > 0)
        .map((product) => ({ product, quantity: cart[product.id]! })),
    [products.data, cart],
  );
  const total = lines.reduce((sum, line) => sum + line.product.price * BigInt(line.quantity), 0n);
  const change = (productId: string, delta: number) => {
    setCart((current) => ({
      ...current,
      [productId]: Math.min(MAX_QUANTITY, Math.max(0, (current[productId] ?? 0) + delta)),
    }));
    setIdempotencyKey(crypto.randomUUID());
  };

  if (products.isLoading) return <p className="muted">Loading products…</p>;
  return (
    <div className="row" style={{ alignItems: "flex-start" }}>
      <div style={{ flex: 2, minWidth: 320 }}>
        <div className="grid">
          {products.data?.map((product) => (
            <div key={product.id} className="panel" data-testid="product">
              <div className="muted" style={{ fontSize: "0.8rem" }}>
                {product.seller.name}
              </div>
              <div style={{ fontWeight: 600, margin: "0.25rem 0" }}>{product.name}</div>
              <div className="row">
                <span>{formatMoney(product.price, product.currency)}</span>
                <span className="spacer" />
                <button
                  type="button"
                  onClick={() => change(product.id, 1)}
                  aria-label={`Add ${product.name}`}
                >
                  Add
                </button>
              </div>
            </div>
          ))}
        </div>
      </div>
      <aside className="panel" style={{ flex: 1, minWidth: 280, position: "sticky", top: "1rem" }}>
        <h2 style={{ marginTop: 0 }}>Cart</h2>
        {lines.length === 0 && <p className="muted">Your cart is empty.</p>}
        {lines.map(({ product, quantity }) => (
          <div key={product.id} className="cart-line" data-testid="cart-line">
            <span className="cart-line-name">{product.name}</span>
            <span className="stepper">
              <button
                type="button"
                className="secondary step"
                onClick={() => change(product.id, -1)}
                aria-label={`One fewer ${product.name}`}
              >
                −
              </button>
              <output aria-label={`Quantity of ${product.name}`}>{quantity}</output>
              <button
                type="button"
                className="secondary step"
                onClick={() => change(product.id, 1)}
                disabled={quantity >= MAX_QUANTITY}
                aria-label={`One more ${product.name}`}
              >
                +
              </button>
            </span>
            <span className="cart-line-amount">
              {formatMoney(product.price * BigInt(quantity), product.currency)}
            </span>
          </div>
        ))}
        <div
          className="row"
          style={{ borderTop: "1px solid var(--line)", paddingTop: "0.75rem", marginTop: "0.75rem" }}
        >
          <strong>Total</strong>
          <span className="spacer" />
          <strong data-testid="cart-total">{formatMoney(total)}</strong>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button
          type="button"
          style={{ width: "100%", marginTop: "1rem" }}
          disabled={lines.length === 0 || checkout.isPending}
          onClick={() =>
            checkout.mutate({
              idempotencyKey,
              items: lines.map(({ product, quantity }) => ({ productId: product.id, quantity })),
            })
          }
        >
          {checkout.isPending ? "Starting checkout…" : "Checkout"}
        </button>
        <p className="muted" style={{ fontSize: "0.8rem" }}>
          You pay on our payment provider's secure page; Payrail never sees your card.
        </p>
      </aside>
    </div>
  );
}
