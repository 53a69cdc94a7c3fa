// The read side of pay-in: what buyers, sellers and finance see. Every seller query filters by
// the seller id from the session, never from input.
import type { Prisma } from "@/generated/prisma/client";
import { dayRange } from "@/server/days";
import { type DbOrTx, likeLiteral } from "@/server/db";
import { env } from "@/server/env";
import { DomainError, NotFoundError } from "@/server/errors";
import { transactionsByReference } from "@/server/ledger/queries";
import { availableAt } from "./release";
import type { PaymentSearchInput, SellerOrderSearchInput } from "./schemas";

const orderSummary = {
  id: true,
  sellerId: true,
  amount: true,
  commission: true,
  currency: true,
  status: true,
  items: true,
  refundedAmount: true,
  shippedAt: true,
  releasedAt: true,
  failureReason: true,
  createdAt: true,
} satisfies Prisma.PaymentOrderSelect;

/** The names of the orders' sellers, by seller id, in one query. */
async function sellerNames(db: DbOrTx, orders: { sellerId: string }[]): Promise<Map<string, string>> {
  const sellers = await db.seller.findMany({
    where: { id: { in: [...new Set(orders.map((order) => order.sellerId))] } },
    select: { id: true, name: true },
  });
  return new Map(sellers.map((seller) => [seller.id, seller.name]));
}

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
      orders: {
        select: {
          ...orderSummary,
          // The buyer sees what comes back to them and where it stands; finance's reason stays
          // internal.
          refunds: {
            select: { id: true, amount: true, status: true, createdAt: true },
            orderBy: { createdAt: "asc" },
          },
        },
        orderBy: { id: "asc" },
      },
    },
  });
  if (!event) throw new NotFoundError("Checkout");
  const names = await sellerNames(db, event.orders);
  return {
    ...event,
    orders: event.orders.map((order) => ({ ...order, sellerName: names.get(order.sellerId) ?? "" })),
  };
}

export async function checkoutsForBuyer(
  db: DbOrTx,
  buyerId: string,
  page: { cursor?: string; limit: number },
) {
  const checkouts = await db.paymentEvent.findMany({
    where: { buyerId },
    select: {
      id: true,
      status: true,
      currency: true,
      totalAmount: true,
      createdAt: true,
      failureMessage: true,
      orders: {
        select: { id: true, sellerId: true, items: true, refundedAmount: true },
        orderBy: { id: "asc" },
      },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1, // one more, to know whether another page follows
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
  });
  const shown = checkouts.slice(0, page.limit);
  const names = await sellerNames(
    db,
    shown.flatMap((checkout) => checkout.orders),
  );
  const items = shown.map(({ orders, ...checkout }) => ({
    ...checkout,
    /** What was bought from whom: one entry per seller's order. */
    orders: orders.map((order) => ({
      id: order.id,
      sellerName: names.get(order.sellerId) ?? "",
      items: order.items,
    })),
    /** Refunded so far across the checkout's orders (requested and not refused by the PSP). */
    refundedAmount: orders.reduce((sum, order) => sum + order.refundedAmount, 0n),
  }));
  return { items, nextCursor: checkouts.length > page.limit ? items.at(-1)?.id : undefined };
}

/**
 * The uuid range an id prefix covers ("1a295295" → 1a295295-0000-… to 1a295295-ffff-…): uuids sort
 * bytewise, so the short ids the tables show are found with a primary-key range scan, not a LIKE.
 */
export function uuidPrefixRange(prefix: string): { gte: string; lte: string } | null {
  const hex = prefix.replaceAll("-", "").toLowerCase();
  if (hex.length < 8 || hex.length > 32 || !/^[0-9a-f]+$/.test(hex)) return null;
  const format = (digits: string) =>
    `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
  return { gte: format(hex.padEnd(32, "0")), lte: format(hex.padEnd(32, "f")) };
}

/** Rows strictly after the cursor row in (createdAt desc, id desc) order: a true keyset, index-backed. */
function after(cursor: { createdAt: Date; id: string }) {
  return {
    OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }],
  };
}

const unknownCursor = () => new DomainError("This page cursor is unknown; start from the first page");

/**
 * A seller's orders, newest first, filtered and in keyset pages. The cursor is resolved within the
 * seller's own orders, so another seller's order id cannot even position a page.
 * Index: payment_order (seller_id, created_at), or (seller_id, status, created_at) with a status.
 */
export async function searchSellerOrders(
  db: DbOrTx,
  sellerId: string,
  input: Omit<SellerOrderSearchInput, "limit"> & { limit: number },
) {
  const cursor = input.cursor
    ? await db.paymentOrder.findFirst({
        where: { id: input.cursor, sellerId },
        select: { id: true, createdAt: true },
      })
    : null;
  if (input.cursor && !cursor) throw unknownCursor();
  const orderId = input.orderId?.trim();
  const idRange = orderId ? uuidPrefixRange(orderId) : null;
  if (orderId && !idRange) throw new DomainError("Type at least the first 8 characters of the order id");
  const createdAt = dayRange(input.from, input.to);
  const rows = await db.paymentOrder.findMany({
    where: {
      sellerId,
      ...(input.status ? { status: input.status } : {}),
      ...(idRange ? { id: idRange } : {}),
      ...(createdAt ? { createdAt } : {}),
      ...(cursor ? after(cursor) : {}),
    },
    select: {
      ...orderSummary,
      refunds: { select: { id: true, amount: true, status: true, createdAt: true } },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
  });
  const items = rows.slice(0, input.limit).map(withAvailability);
  return { items, nextCursor: rows.length > input.limit ? items.at(-1)?.id : undefined };
}

/** A shipped order still on hold, with the moment its funds become available. */
function withAvailability<T extends { shippedAt: Date | null; releasedAt: Date | null }>(order: T) {
  return {
    ...order,
    availableAt: order.shippedAt && !order.releasedAt ? availableAt(order.shippedAt) : null,
  };
}

/** The unfiltered list, kept for existing callers (the chaos workload); the console pages. */
export async function ordersForSeller(
  db: DbOrTx,
  sellerId: string,
  page: { cursor?: string; limit: number },
) {
  return (await searchSellerOrders(db, sellerId, page)).items;
}

/** Turns the buyer filter into buyer ids: an exact email (unique index) or a user id. */
async function buyerIds(db: DbOrTx, buyer: string): Promise<string[]> {
  const isUuid = /^[0-9a-f-]{36}$/i.test(buyer);
  const users = await db.user.findMany({
    where: isUuid ? { id: buyer } : { email: buyer.toLowerCase() },
    select: { id: true },
  });
  return users.map((user) => user.id);
}

/** Turns the seller filter into seller ids: an id, or sellers whose name contains the text. */
async function sellerIds(db: DbOrTx, seller: string): Promise<string[]> {
  const isUuid = /^[0-9a-f-]{36}$/i.test(seller);
  // Sellers are few next to orders; a bounded name match is fine, the orders side is index-backed.
  const sellers = await db.seller.findMany({
    where: isUuid ? { id: seller } : { name: { contains: likeLiteral(seller), mode: "insensitive" } },
    select: { id: true },
    take: 50,
  });
  return sellers.map((row) => row.id);
}

/**
 * Finance's payment search, newest first in keyset pages. Indexes: payment_event (created_at, id)
 * for the plain list and date ranges, (status, created_at) with a status, (buyer_id, created_at)
 * with a buyer, payment_order (seller_id, created_at) with a seller, the PSP id columns for `query`.
 */
export async function searchPayments(
  db: DbOrTx,
  input: Omit<PaymentSearchInput, "limit"> & { limit: number },
) {
  const query = input.query?.trim();
  const isUuid = query && /^[0-9a-f-]{36}$/i.test(query);
  const idRange = query && !isUuid ? uuidPrefixRange(query) : null;
  const buyer = input.buyer?.trim();
  const seller = input.seller?.trim();
  const [buyers, sellers, cursor] = await Promise.all([
    buyer ? buyerIds(db, buyer) : undefined,
    seller ? sellerIds(db, seller) : undefined,
    input.cursor
      ? db.paymentEvent.findUnique({ where: { id: input.cursor }, select: { id: true, createdAt: true } })
      : undefined,
  ]);
  if (input.cursor && !cursor) throw unknownCursor();
  // Nobody matches the buyer or seller: no need to ask for payments.
  if (buyers?.length === 0 || sellers?.length === 0) return { items: [], nextCursor: undefined };
  const createdAt = dayRange(input.from, input.to);
  const and: Prisma.PaymentEventWhereInput[] = [];
  if (query)
    and.push({
      OR: [
        ...(isUuid ? [{ id: query }, { orders: { some: { id: query } } }] : []),
        ...(idRange ? [{ id: idRange }, { orders: { some: { id: idRange } } }] : []),
        { pspPaymentIntentId: query },
        { pspChargeId: query },
        { pspSessionId: query },
        { orders: { some: { refunds: { some: { pspRefundId: query } } } } },
      ],
    });
  if (cursor) and.push(after(cursor));
  const where: Prisma.PaymentEventWhereInput = {
    ...(input.status ? { status: input.status } : {}),
    ...(buyers ? { buyerId: { in: buyers } } : {}),
    ...(sellers ? { orders: { some: { sellerId: { in: sellers } } } } : {}),
    ...(input.minAmount !== undefined || input.maxAmount !== undefined
      ? {
          totalAmount: {
            ...(input.minAmount !== undefined ? { gte: input.minAmount } : {}),
            ...(input.maxAmount !== undefined ? { lte: input.maxAmount } : {}),
          },
        }
      : {}),
    ...(createdAt ? { createdAt } : {}),
    ...(and.length ? { AND: and } : {}),
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
  });
  const page = events.slice(0, input.limit);
  const [users, names] = await Promise.all([
    db.user.findMany({
      where: { id: { in: [...new Set(page.map((event) => event.buyerId))] } },
      select: { id: true, email: true },
    }),
    sellerNames(
      db,
      page.flatMap((event) => event.orders),
    ),
  ]);
  const emails = new Map(users.map((user) => [user.id, user.email]));
  return {
    items: page.map((event) => ({
      ...event,
      buyerEmail: emails.get(event.buyerId) ?? "",
      orders: event.orders.map((order) => ({ ...order, sellerName: names.get(order.sellerId) ?? "" })),
    })),
    nextCursor: events.length > input.limit ? page.at(-1)?.id : undefined,
  };
}

/**
 * Succeeded payments per UTC day for the last `days` days (today included), zero-filled, summed
 * in SQL in minor units. Index-only on payment_event (status, created_at) INCLUDE (total_amount,
 * currency). Dated by checkout creation, which for a paid checkout is minutes from its payment.
 */
export async function paymentVolume(db: DbOrTx, days: number, now = new Date()) {
  const currency = env().CURRENCY;
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const rows = await db.$queryRaw<{ day: string; count: number; amount: bigint }[]>`
    SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
           count(*)::int AS count,
           coalesce(sum(total_amount), 0)::bigint AS amount
      FROM payment_event
     WHERE status = 'SUCCEEDED' AND created_at >= ${start} AND currency = ${currency}
     GROUP BY 1
     ORDER BY 1`;
  const byDay = new Map(rows.map((row) => [row.day, row]));
  const series = Array.from({ length: days }, (_, index) => {
    const day = new Date(start.getTime() + index * 86_400_000).toISOString().slice(0, 10);
    const row = byDay.get(day);
    return { day, count: row?.count ?? 0, amount: row?.amount ?? 0n };
  });
  return {
    currency,
    days: series,
    totalCount: series.reduce((sum, row) => sum + row.count, 0),
    totalAmount: series.reduce((sum, row) => sum + row.amount, 0n),
  };
}

/** The ledger transactions of an order: its pay-in, its release, and each refund (and reversal). */
async function orderPostings(db: DbOrTx, orderId: string, refundIds: string[]) {
  // Read through the ledger's own API (reference is indexed); an order has a handful of references.
  const groups = await Promise.all(
    [orderId, ...refundIds].map((reference) => transactionsByReference(db, reference)),
  );
  return groups
    .flat()
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((transaction) => ({
      id: transaction.id,
      kind: transaction.kind,
      reference: transaction.reference,
      description: transaction.description,
      createdAt: transaction.createdAt,
      entries: transaction.entries.map((entry) => ({
        id: entry.id,
        account: entry.account.code,
        direction: entry.direction,
        amount: entry.amount,
      })),
    }));
}

/** `buyer:<uuid>` → `buyer`: a seller sees who acted, not the buyer's user id. */
const actorRole = (actor: string) => (actor.startsWith("psp:") ? actor : (actor.split(":")[0] ?? actor));

async function orderWithHistory(db: DbOrTx, paymentOrderId: string, sellerId?: string) {
  const order = await db.paymentOrder.findFirst({
    where: { id: paymentOrderId, ...(sellerId ? { sellerId } : {}) },
    include: {
      transitions: { orderBy: { id: "asc" } },
      refunds: { orderBy: { createdAt: "asc" } },
      paymentEvent: {
        select: {
          id: true,
          buyerId: true,
          status: true,
          attempt: true,
          pspSessionId: true,
          pspPaymentIntentId: true,
          pspChargeId: true,
          createdAt: true,
        },
      },
    },
  });
  if (!order) throw new NotFoundError("Payment order");
  const postings = await orderPostings(
    db,
    order.id,
    order.refunds.map((refund) => refund.id),
  );
  return { ...order, postings };
}

/**
 * One order for its seller: timeline (actors reduced to their role), refunds, ledger postings.
 * Another seller's order is NOT_FOUND, exactly like a missing one.
 */
export async function sellerOrderDetail(db: DbOrTx, paymentOrderId: string, sellerId: string) {
  const { paymentEvent, ...order } = await orderWithHistory(db, paymentOrderId, sellerId);
  return {
    ...withAvailability(order),
    transitions: order.transitions.map((transition) => ({
      ...transition,
      actor: actorRole(transition.actor),
    })),
    paymentEvent: {
      id: paymentEvent.id,
      status: paymentEvent.status,
      pspPaymentIntentId: paymentEvent.pspPaymentIntentId,
      pspChargeId: paymentEvent.pspChargeId,
    },
  };
}

/** The webhook events about a checkout or its refunds, by the reference we put in PSP metadata. */
async function webhookEventsFor(db: DbOrTx, references: string[]) {
  // The expression is the one psp_webhook_event_reference_idx indexes, verbatim.
  return db.$queryRaw<
    { id: string; type: string; objectId: string | null; receivedAt: Date; processedAt: Date | null }[]
  >`
    SELECT id, type, payload #>> '{data,object,id}' AS "objectId",
           received_at AS "receivedAt", processed_at AS "processedAt"
      FROM psp_webhook_event
     WHERE coalesce(payload #>> '{data,object,metadata,payment_event_id}',
                    payload #>> '{data,object,metadata,refund_id}') = ANY(${references}::text[])
     ORDER BY received_at, id
     LIMIT 200`;
}

/** One order for finance: everything the seller sees, plus the PSP objects, buyer and webhooks. */
export async function paymentOrderDetail(db: DbOrTx, paymentOrderId: string) {
  const order = await orderWithHistory(db, paymentOrderId);
  const [buyer, seller, webhookEvents] = await Promise.all([
    db.user.findUnique({ where: { id: order.paymentEvent.buyerId }, select: { email: true } }),
    db.seller.findUnique({ where: { id: order.sellerId }, select: { name: true } }),
    webhookEventsFor(db, [order.paymentEvent.id, ...order.refunds.map((refund) => refund.id)]),
  ]);
  return { ...order, buyerEmail: buyer?.email ?? "", sellerName: seller?.name ?? "", webhookEvents };
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
