// The webhook endpoint's defences, on a real database: signatures on the raw body, the 300 s
// tolerance, replays dropped by event id, and secret rotation with two secrets at once; and the
// sweep that backs up processing on receipt.
import { afterAll, describe, expect, it } from "vitest";
import { NotFoundError } from "@/server/errors";
import { getBoss, stopBoss } from "@/server/jobs/boss";
import { signPayload } from "@/server/psp/emulator/webhooks";
import { createTestDatabase } from "@/server/test/database";
import { waitFor } from "@/server/test/wait-for";
import { receivePspWebhook } from "./webhook-endpoint";
import {
  processWebhookEvent,
  storeWebhookEvent,
  sweepUnprocessedWebhooks,
  unprocessedWebhooks,
} from "./webhooks";

const { db, url } = await createTestDatabase();
process.env.DATABASE_URL = url;
await getBoss(); // its schema, where the sweep's jobs go
afterAll(() => stopBoss());

const now = () => Math.floor(Date.now() / 1000);
const refundEvent = (id: string) =>
  JSON.stringify({
    id,
    object: "event",
    type: "refund.updated",
    created: now(),
    data: { object: { id: `re_${id}`, object: "refund", status: "succeeded", metadata: {} } },
  });
/** The events, of `ids`, that have a processing job, sorted. */
async function processJobsFor(ids: string[]): Promise<string[]> {
  const jobs = await db.$queryRawUnsafe<{ event_id: string }[]>(
    `SELECT data->>'eventId' AS event_id FROM pgboss.job
      WHERE name = 'payin.process-webhook' AND data->>'eventId' = ANY($1::text[])`,
    ids,
  );
  return jobs.map((job) => job.event_id).sort();
}
const event = (id: string) =>
  JSON.stringify({
    id,
    object: "event",
    type: "charge.succeeded",
    created: now(),
    data: { object: { id: "ch_1" } },
  });

describe("the PSP webhook endpoint", () => {
  it("stores a correctly signed event once and drops its replay", async () => {
    const body = event("evt_once");
    const signature = signPayload(body, "whsec_current", now());
    expect(await receivePspWebhook(db, body, signature, ["whsec_current"])).toEqual({
      status: 200,
      body: { received: true, duplicate: false },
    });
    expect(await receivePspWebhook(db, body, signature, ["whsec_current"])).toEqual({
      status: 200,
      body: { received: true, duplicate: true },
    });
    expect(await db.pspWebhookEvent.count({ where: { id: "evt_once" } })).toBe(1);
  });

  it("refuses a body changed after signing, a wrong secret and a missing header", async () => {
    const body = event("evt_tampered");
    const signature = signPayload(body, "whsec_current", now());
    expect(
      (await receivePspWebhook(db, body.replace("ch_1", "ch_2"), signature, ["whsec_current"])).status,
    ).toBe(400);
    expect((await receivePspWebhook(db, body, signature, ["whsec_other"])).status).toBe(400);
    expect((await receivePspWebhook(db, body, null, ["whsec_current"])).status).toBe(400);
    expect(await db.pspWebhookEvent.count({ where: { id: "evt_tampered" } })).toBe(0);
  });

  it("refuses a signature older than 300 seconds, even if it is valid", async () => {
    const body = event("evt_old");
    expect(
      (await receivePspWebhook(db, body, signPayload(body, "whsec_current", now() - 301), ["whsec_current"]))
        .status,
    ).toBe(400);
    expect(
      (await receivePspWebhook(db, body, signPayload(body, "whsec_current", now() - 250), ["whsec_current"]))
        .status,
    ).toBe(200);
  });

  it("accepts both secrets during a rotation, and only the new one after it", async () => {
    const old = event("evt_rotation_old");
    const fresh = event("evt_rotation_new");
    const during = ["whsec_new", "whsec_old"];
    expect((await receivePspWebhook(db, old, signPayload(old, "whsec_old", now()), during)).status).toBe(200);
    expect((await receivePspWebhook(db, fresh, signPayload(fresh, "whsec_new", now()), during)).status).toBe(
      200,
    );
    const late = event("evt_rotation_late");
    expect(
      (await receivePspWebhook(db, late, signPayload(late, "whsec_old", now()), ["whsec_new"])).status,
    ).toBe(400);
  });

  it("stores each of many concurrent deliveries once and processes it on receipt", async () => {
    // A type Payrail acts on; these name no refund of ours, so processing them changes nothing
    // else. Sent together, they are stored in group-committed batches.
    const ids = ["evt_batch_1", "evt_batch_2", "evt_batch_3", "evt_batch_4"];
    const bodies = ids.map((id) => refundEvent(id));
    const deliveries = [...bodies, ...bodies, ...bodies].map((body) =>
      receivePspWebhook(db, body, signPayload(body, "whsec_current", now()), ["whsec_current"]),
    );
    const answers = await Promise.all(deliveries);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => answer.body.duplicate === false)).toHaveLength(ids.length);
    expect(await db.pspWebhookEvent.count({ where: { id: { in: ids } } })).toBe(ids.length);
    await waitFor(
      async () => (await db.pspWebhookEvent.count({ where: { id: { in: ids }, processedAt: null } })) === 0,
    );
    // Processed on receipt, so the sweep has no job to give them.
    await sweepUnprocessedWebhooks(db, 0);
    expect(await processJobsFor(ids)).toEqual([]);
  });

  it("gives each event left unprocessed one processing job, once, after the wait", async () => {
    // Stored as the endpoint stores them, but their processing never ran (the process died).
    const ids = ["evt_unswept_1", "evt_unswept_2", "evt_unswept_3"];
    for (const id of ids) {
      expect(await storeWebhookEvent(db, JSON.parse(refundEvent(id)))).toBe(true);
    }
    // The jobs console counts them (every other event of this file was processed on receipt).
    expect(await unprocessedWebhooks(db)).toEqual({ count: ids.length, oldestReceivedAt: expect.any(Date) });
    await sweepUnprocessedWebhooks(db, 3_600);
    expect(await processJobsFor(ids)).toEqual([]); // not yet: processing may still be under way
    expect(await sweepUnprocessedWebhooks(db, 0)).toBeGreaterThanOrEqual(ids.length);
    expect(await sweepUnprocessedWebhooks(db, 0)).toBe(0);
    expect(await processJobsFor(ids)).toEqual(ids);
    const swept = await db.pspWebhookEvent.findMany({ where: { id: { in: ids } } });
    expect(swept.every((stored) => stored.backupEnqueuedAt !== null && stored.processedAt === null)).toBe(
      true,
    );
  });

  it("leaves alone a success that is not ours, and keeps one for an unknown checkout unprocessed", async () => {
    const success = (id: string, reference: string) =>
      JSON.stringify({
        id,
        object: "event",
        type: "payment_intent.succeeded",
        created: now(),
        data: {
          object: {
            id: `pi_${id}`,
            object: "payment_intent",
            status: "succeeded",
            latest_charge: `ch_${id}`,
            metadata: { payment_event_id: reference },
          },
        },
      });
    // Another integration on the same PSP account: its reference is no checkout id of ours.
    const foreign = success("evt_foreign", "order-1234");
    expect(
      (await receivePspWebhook(db, foreign, signPayload(foreign, "whsec_current", now()), ["whsec_current"]))
        .status,
    ).toBe(200);
    await waitFor(
      async () =>
        (await db.pspWebhookEvent.findUniqueOrThrow({ where: { id: "evt_foreign" } })).processedAt !== null,
    );
    expect(await db.paymentEvent.count()).toBe(0);
    // A checkout id this database does not know: processing fails and the event stays
    // unprocessed, for the sweep's job (retries, then the dead-letter queue finance sees). The
    // success's statement marked it processed before the check failed: rolled back with it.
    const unknown = JSON.parse(success("evt_unknown", "0b1e7c2a-5d4f-4e8b-9a6c-3f2e1d0c9b8a"));
    expect(await storeWebhookEvent(db, unknown)).toBe(true);
    await expect(processWebhookEvent(db, "evt_unknown")).rejects.toBeInstanceOf(NotFoundError);
    expect((await db.pspWebhookEvent.findUniqueOrThrow({ where: { id: "evt_unknown" } })).processedAt).toBe(
      null,
    );
  });

  it("stores the other events of a batch when one cannot be stored", async () => {
    const body = (id: string, note: string) =>
      JSON.stringify({
        id,
        object: "event",
        type: "refund.updated",
        created: now(),
        data: { object: { id: `re_${id}`, object: "refund", status: "succeeded", metadata: { note } } },
      });
    // PostgreSQL's jsonb refuses the NUL character, so this event's insert fails its batch.
    const bodies = [
      body("evt_poison_a", "a"),
      body("evt_poison_b", "b"),
      body("evt_poison_x", "\u0000"),
      body("evt_poison_c", "c"),
    ];
    const outcomes = await Promise.allSettled(
      bodies.map((raw) =>
        receivePspWebhook(db, raw, signPayload(raw, "whsec_current", now()), ["whsec_current"]),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    const stored = await db.pspWebhookEvent.findMany({ where: { id: { startsWith: "evt_poison_" } } });
    expect(stored.map((event) => event.id).sort()).toEqual(["evt_poison_a", "evt_poison_b", "evt_poison_c"]);
  });
});
