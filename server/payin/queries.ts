// The read side of pay-in: what buyers, sellers and finance see. Every seller query filters by
// the seller id from the session, never from input.
import type { Prisma } from "@/generated/prisma/client";
import type { DbOrTx } from "@/server/db";
import { NotFoundError } from "@/server/errors";

const orderSummary = {
  id: true,
  sellerId: true,
  amount: true,
  commission: true,
  currency: true,
  status: true,
  items: true,
  refundedAmount: true,
  releasedAt: true,
  failureReason: true,
  createdAt: true,
} satisfies Prisma.PaymentOrderSelect;

export async function checkoutForBuyer(db: DbOrTx, buyerId: string, checkoutId: string) {
  const event = await db.paymentEvent.findFirst({
    where: { id: checkoutId, buyerId },
    select: {
      id: true,
      status: true,
      currency: true,
      totalAmount: true,
      pspSessionUrl: true,
      failureCode: true,
      failureMessage: true,
      createdAt: true,
      orders: { select: orderSummary, orderBy: { id: "asc" } },
    },
  });
  if (!event) throw new NotFoundError("Checkout");
  const sellers = await db.seller.findMany({
    where: { id: { in: event.orders.map((order) => order.sellerId) } },
    select: { id: true, name: true },
  });
  const names = new Map(sellers.map((seller) => [seller.id, seller.name]));
  return {
    ...event,
    orders: event.orders.map((order) => ({ ...order, sellerName: names.get(order.sellerId) ?? "" })),
  };
}

export function checkoutsForBuyer(db: DbOrTx, buyerId: string, page: { cursor?: string; limit: number }) {
  return db.paymentEvent.findMany({
    where: { buyerId },
    select: {
      id: true,
      status: true,
      currency: true,
      totalAmount: true,
      createdAt: true,
      failureMessage: true,
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
  });
}

export function ordersForSeller(db: DbOrTx, sellerId: string, page: { cursor?: string; limit: number }) {
  return db.paymentOrder.findMany({
    where: { sellerId },
    select: {
      ...orderSummary,
      refunds: { select: { id: true, amount: true, status: true, createdAt: true } },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
  });
}

export async function searchPayments(
  db: DbOrTx,
  input: { status?: Prisma.PaymentEventWhereInput["status"]; query?: string; cursor?: string; limit: number },
) {
  const query = input.query?.trim();
  const isUuid = query && /^[0-9a-f-]{36}$/i.test(query);
  const where: Prisma.PaymentEventWhereInput = {
    ...(input.status ? { status: input.status } : {}),
    ...(query
      ? {
          OR: [
            ...(isUuid ? [{ id: query }, { orders: { some: { id: query } } }] : []),
            { pspPaymentIntentId: query },
            { pspChargeId: query },
            { pspSessionId: query },
          ],
        }
      : {}),
  };
  const events = await db.paymentEvent.findMany({
    where,
    select: {
      id: true,
      buyerId: true,
      status: true,
      currency: true,
      totalAmount: true,
      riskDecision: true,
      riskReasons: true,
      failureMessage: true,
      pspPaymentIntentId: true,
      createdAt: true,
      orders: { select: orderSummary, orderBy: { id: "asc" } },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = events.slice(0, input.limit);
  const buyers = await db.user.findMany({
    where: { id: { in: [...new Set(page.map((event) => event.buyerId))] } },
    select: { id: true, email: true },
  });
  const emails = new Map(buyers.map((buyer) => [buyer.id, buyer.email]));
  return {
    items: page.map((event) => ({ ...event, buyerEmail: emails.get(event.buyerId) ?? "" })),
    nextCursor: events.length > input.limit ? page.at(-1)?.id : undefined,
  };
}

export async function paymentOrderDetail(db: DbOrTx, paymentOrderId: string, sellerId?: string) {
  const order = await db.paymentOrder.findFirst({
    where: { id: paymentOrderId, ...(sellerId ? { sellerId } : {}) },
    include: {
      transitions: { orderBy: { id: "asc" } },
      refunds: { orderBy: { createdAt: "asc" } },
      paymentEvent: { select: { id: true, pspPaymentIntentId: true, pspChargeId: true, status: true } },
    },
  });
  if (!order) throw new NotFoundError("Payment order");
  return order;
}

export function catalog(db: DbOrTx) {
  return db.product.findMany({
    where: { active: true },
    select: {
      id: true,
      name: true,
      price: true,
      currency: true,
      seller: { select: { id: true, name: true } },
    },
    orderBy: [{ seller: { name: "asc" } }, { name: "asc" }],
  });
}
