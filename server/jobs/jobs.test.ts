import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createUser } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { waitFor } from "@/server/test/wait-for";
import { stopBoss } from "./boss";
import { DEAD_LETTER_QUEUE, defineJob, enqueue, enqueueMany } from "./define-job";
import { allJobs, ensureQueues } from "./registry";
import { deadLetters, queueOverview, replayDeadLetters } from "./service";
import { startWorker } from "./worker";

const { db, url, sql } = await createTestDatabase();
process.env.DATABASE_URL = url;

const handled: string[] = [];
const attempts = new Map<string, number>();
const healed = new Set<string>();
const recordJob = defineJob({
  name: "test.record",
  description: "A test job.",
  schema: z.object({ note: z.string() }),
  handler: async ({ note }) => {
    handled.push(note);
  },
});
const flakyJob = defineJob({
  name: "test.flaky",
  description: "A test job.",
  schema: z.object({ note: z.string(), failures: z.number() }),
  retryLimit: 3,
  retryDelay: 1,
  handler: async ({ note, failures }) => {
    const count = (attempts.get(note) ?? 0) + 1;
    attempts.set(note, count);
    if (count <= failures && !healed.has(note)) throw new Error(`attempt ${count} fails`);
    handled.push(note);
  },
});
// Claimed eight at a time, by one local worker (with several, two could each claim part of the
// same commit); a job whose note starts with "bad" fails until healed.
const batchAttempts = new Map<string, number>();
const batchedJob = defineJob({
  name: "test.batched",
  description: "A test job.",
  schema: z.object({ note: z.string() }),
  batchSize: 8,
  concurrency: 1,
  retryLimit: 3,
  retryDelay: 1,
  handler: async ({ note }) => {
    batchAttempts.set(note, (batchAttempts.get(note) ?? 0) + 1);
    if (note.startsWith("bad") && !healed.has(note)) throw new Error(`${note} fails`);
    handled.push(note);
  },
});
allJobs.push(recordJob, flakyJob, batchedJob);
process.env.JOB_RETRY_DELAY_MAX_SECONDS = "1";
const worker = await startWorker({ pollingIntervalSeconds: 0.5 });
afterAll(async () => {
  await worker.stop();
  await stopBoss();
});

describe("jobs", () => {
  it("enqueues inside a transaction: the job exists only if the transaction commits", async () => {
    await db.$transaction(async (tx) => {
      await enqueue(tx, recordJob, { note: "committed" });
    });
    await expect(
      db.$transaction(async (tx) => {
        await enqueue(tx, recordJob, { note: "rolled-back" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    await waitFor(() => handled.includes("committed"));
    const { rows } = await sql.query(
      `SELECT data->>'note' AS note FROM pgboss.job WHERE name = 'test.record'`,
    );
    expect(rows.map((row) => row.note)).toEqual(["committed"]);
  });

  it("retries a failing job with backoff until it succeeds", async () => {
    await enqueue(db, flakyJob, { note: "flaky", failures: 2 });
    await waitFor(() => handled.includes("flaky"), 20_000);
    expect(attempts.get("flaky")).toBe(3);
  });

  it("moves a job that keeps failing to the dead-letter queue", async () => {
    await enqueue(db, flakyJob, { note: "hopeless", failures: 99 });
    const deadLetters = async () =>
      (await sql.query(`SELECT data->>'note' AS note FROM pgboss.job WHERE name = $1`, [DEAD_LETTER_QUEUE]))
        .rows;
    await waitFor(async () => (await deadLetters()).length > 0, 30_000);
    expect((await deadLetters()).map((row) => row.note)).toEqual(["hopeless"]);
    expect(attempts.get("hopeless")).toBe(4); // the first try and three retries
    expect(handled).not.toContain("hopeless");
  }, 40_000);

  it("replays a dead-lettered job on the queue it failed on once the cause is fixed", async () => {
    const [dead] = await deadLetters(10);
    expect(dead?.sourceName).toBe("test.flaky");
    expect(dead?.error).toBe("attempt 4 fails"); // what finance sees beside it
    healed.add("hopeless");
    const finance = await createUser(db, "FINANCE");
    expect(await replayDeadLetters(db, finance.user, [dead!.id])).toBe(1);
    await waitFor(() => handled.includes("hopeless"), 20_000);
    expect(await db.auditLog.count({ where: { action: "jobs.replay" } })).toBe(1);
  });

  it("completes the jobs of a fetched batch on their own: one failing job retries alone", async () => {
    const notes = ["good-1", "good-2", "bad-1", "good-3", "good-4"];
    await db.$transaction((tx) =>
      enqueueMany(
        tx,
        batchedJob,
        notes.map((note) => ({ note })),
      ),
    );
    await waitFor(() => (batchAttempts.get("bad-1") ?? 0) >= 2, 20_000);
    healed.add("bad-1");
    await waitFor(() => handled.includes("bad-1"), 20_000);
    for (const note of notes.filter((note) => note.startsWith("good"))) {
      expect(batchAttempts.get(note)).toBe(1);
    }
    expect(handled.filter((note) => notes.includes(note)).sort()).toEqual([...notes].sort());
    const { rows } = await sql.query(
      `SELECT count(*)::int AS completed, count(DISTINCT started_on) FILTER (WHERE data->>'note' LIKE 'good%')::int AS fetches
         FROM pgboss.job WHERE name = 'test.batched' AND state = 'completed'`,
    );
    expect(rows[0]).toEqual({ completed: notes.length, fetches: 1 }); // the good ones were claimed together
  });

  it("retries the job of a worker that died mid-run once its heartbeat is missed", async () => {
    // A queue no local worker serves, so this test plays the worker that claims a job and dies.
    const orphanJob = defineJob({
      name: "test.orphan",
      description: "A test job.",
      schema: z.object({ note: z.string() }),
      handler: async () => {},
    });
    allJobs.push(orphanJob);
    await ensureQueues(worker.boss);
    allJobs.pop();
    await enqueue(db, orphanJob, { note: "claimed by a worker killed with -9" });
    const [claimed] = await worker.boss.fetch(orphanJob.name);
    expect(claimed).toBeDefined();
    // The dead worker refreshes nothing: its claim's heartbeat grows stale.
    await sql.query(`UPDATE pgboss.job SET heartbeat_on = now() - interval '1 minute' WHERE id = $1`, [
      claimed!.id,
    ]);
    await worker.boss.supervise(orphanJob.name); // what the supervisor does every 15 s
    const { rows } = await sql.query(
      `SELECT state, output #>> '{value,message}' AS why FROM pgboss.job WHERE id = $1`,
      [claimed!.id],
    );
    expect(rows[0]).toEqual({ state: "retry", why: "job heartbeat timeout" }); // another worker takes it
  });

  it("describes each queue for finance: what its jobs do and when they run", async () => {
    const overview = new Map((await queueOverview()).map((queue) => [queue.name, queue]));
    expect(overview.get("reconciliation.nightly")).toMatchObject({
      description: "Reconciles yesterday (UTC) against the PSP.",
      schedule: "At 02:30",
    });
    expect(overview.get("payin.sweep-webhooks")?.schedule).toBe("Every minute");
    expect(overview.get("payin.execute-refund")?.schedule).toBe("When work arrives");
    expect(overview.get(DEAD_LETTER_QUEUE)?.description).toMatch(/failed every retry/);
  });

  it("rejects a payload that does not match the job's schema before anything is stored", async () => {
    await expect(enqueue(db, recordJob, { note: 42 } as never)).rejects.toThrow();
  });
});
