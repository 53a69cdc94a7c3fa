// The emulator stands in for a PSP that never forgets what it answered: with a snapshot file, a
// response (and a webhook) goes out only once the state behind it is on disk, so a kill -9 right
// after any answer loses nothing a client was told. Found by the chaos run: a checkout session
// created just before an emulator crash vanished, and its checkout stayed EXECUTING for ever.

import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { waitFor } from "@/server/test/wait-for";
import { createStripeClient } from "../stripe-adapter";
import { type EmulatorHandle, startPspEmulator } from "./server";
import { Store } from "./store";

const snapshotPath = path.join(mkdtempSync(path.join(tmpdir(), "payrail-emulator-")), "psp.json");
const webhookBodies: string[] = [];
const receiver = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  // What the emulator has on disk at the moment the webhook arrives.
  webhookBodies.push(existsSync(snapshotPath) ? readFileSync(snapshotPath, "utf8") : "{}");
  response.end("ok");
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const emulator = await startPspEmulator({
  port: 0,
  snapshotPath,
  webhookEndpoints: [
    { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, secret: "whsec_durable" },
  ],
});
const stripe = createStripeClient({
  secretKey: "sk_test_durable",
  emulatorUrl: emulator.url,
  maxNetworkRetries: 0,
});
let restarted: EmulatorHandle | undefined;
afterAll(async () => {
  await emulator.close();
  await restarted?.close();
  receiver.close();
});

/**
 * The snapshot with its journal of events and idempotency records applied, as a restart reads it:
 * the journal up to the bytes the snapshot says it covers.
 */
function onDisk() {
  const { journalBytes, ...state } = JSON.parse(readFileSync(snapshotPath, "utf8")) as Record<
    string,
    Record<string, unknown>
  > & { journalBytes: number };
  const journal = `${snapshotPath}.journal`;
  const committed = existsSync(journal) ? readFileSync(journal).subarray(0, journalBytes) : Buffer.alloc(0);
  const lines = committed.toString("utf8").split("\n").filter(Boolean);
  for (const line of lines) {
    const [name, key, value] = JSON.parse(line) as [string, string, unknown];
    state[name] = { ...state[name], [key]: value };
  }
  return state;
}

it("has every object it answered with in its snapshot when the answer arrives", async () => {
  const session = await stripe.checkout.sessions.create(
    {
      mode: "payment",
      line_items: [
        { quantity: 1, price_data: { currency: "usd", unit_amount: 1500, product_data: { name: "Cup" } } },
      ],
      success_url: "http://127.0.0.1:3000/done",
      cancel_url: "http://127.0.0.1:3000/cancel",
    },
    { idempotencyKey: "durable-session" },
  );
  // Read synchronously on arrival: no later write can have happened in between.
  const state = onDisk();
  expect(state.sessions?.[session.id]).toBeDefined();
  expect(Object.keys(state.idempotency ?? {})).toContain("sk_test_durable:durable-session");

  const account = await stripe.accounts.create({ type: "express", email: "seller@durable.test" });
  expect(onDisk().accounts?.[account.id]).toBeDefined();
});

it("sends a webhook only for state that is already on disk", async () => {
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [
      { quantity: 1, price_data: { currency: "usd", unit_amount: 2500, product_data: { name: "Pot" } } },
    ],
    success_url: "http://127.0.0.1:3000/done",
    cancel_url: "http://127.0.0.1:3000/cancel",
  });
  webhookBodies.length = 0;
  await fetch(`${emulator.url}/_emulator/checkout_sessions/${session.id}/complete`, {
    method: "POST",
    body: JSON.stringify({ card: "4242424242424242" }),
  });
  await waitFor(() => webhookBodies.length > 0);
  for (const snapshot of webhookBodies) {
    const state = JSON.parse(snapshot) as { sessions?: Record<string, { status: string }> };
    expect(state.sessions?.[session.id]?.status).toBe("complete");
  }
});

it("remembers objects, events and idempotent answers across a restart", async () => {
  const session = await stripe.checkout.sessions.create(
    {
      mode: "payment",
      line_items: [
        { quantity: 1, price_data: { currency: "usd", unit_amount: 900, product_data: { name: "Jar" } } },
      ],
      success_url: "http://127.0.0.1:3000/done",
    },
    { idempotencyKey: "durable-restart" },
  );
  await fetch(`${emulator.url}/_emulator/checkout_sessions/${session.id}/complete`, {
    method: "POST",
    body: JSON.stringify({ card: "4242424242424242" }),
  });
  const events = (await stripe.events.list({ limit: 100 })).data.map((event) => event.id);
  // Like a kill -9: nothing is flushed on the way down (answers already waited for the disk).
  emulator.webhooks.close();
  restarted = await startPspEmulator({ port: 0, snapshotPath });
  const again = createStripeClient({
    secretKey: "sk_test_durable",
    emulatorUrl: restarted.url,
    maxNetworkRetries: 0,
  });
  expect((await again.checkout.sessions.retrieve(session.id)).status).toBe("complete");
  expect((await again.events.list({ limit: 100 })).data.map((event) => event.id)).toEqual(events);
  const replay = await again.checkout.sessions.create(
    {
      mode: "payment",
      line_items: [
        { quantity: 1, price_data: { currency: "usd", unit_amount: 900, product_data: { name: "Jar" } } },
      ],
      success_url: "http://127.0.0.1:3000/done",
    },
    { idempotencyKey: "durable-restart" },
  );
  expect(replay.id).toBe(session.id);
  expect(replay.lastResponse.headers["idempotent-replayed"]).toBe("true");
});

it("forgets what a save wrote to its journal before crashing ahead of its snapshot", async () => {
  // The chaos run found it: an emulator killed between the two writes of a save kept the
  // idempotency record of a session its snapshot lacked, then replayed that session's id to the
  // retrying client, and the checkout stayed EXECUTING on a session that did not exist.
  const directory = mkdtempSync(path.join(tmpdir(), "payrail-emulator-"));
  const file = path.join(directory, "psp.json");
  const store = new Store(file);
  store.state.idempotency["sk_test:committed"] = {
    method: "POST",
    path: "/v1/x",
    paramsHash: "a",
    status: 200,
    body: "{}",
  };
  store.save();
  const committedBytes = statSync(`${file}.journal`).size;

  // What a crash between the journal append and the snapshot rename leaves on disk.
  const orphan = {
    method: "POST",
    path: "/v1/checkout/sessions",
    paramsHash: "b",
    status: 200,
    body: '{"id":"cs_lost"}',
  };
  appendFileSync(`${file}.journal`, `${JSON.stringify(["idempotency", "sk_test:orphan", orphan])}\n`);

  const restarted = new Store(file);
  expect(Object.keys(restarted.state.idempotency)).toEqual(["sk_test:committed"]);
  // The torn tail is cut off, so the next save appends where the committed journal ends.
  expect(statSync(`${file}.journal`).size).toBe(committedBytes);
  restarted.state.idempotency["sk_test:next"] = { ...orphan, paramsHash: "c" };
  restarted.save();
  expect(Object.keys(new Store(file).state.idempotency).sort()).toEqual([
    "sk_test:committed",
    "sk_test:next",
  ]);
});

it("lets the configured webhook endpoints win over the snapshot's with the same URL", async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "payrail-emulator-")), "psp.json");
  const url = "http://127.0.0.1:9/webhooks";
  const before = await startPspEmulator({
    port: 0,
    snapshotPath: file,
    webhookEndpoints: [{ url, secret: "whsec_old" }],
  });
  await before.close();
  const after = await startPspEmulator({
    port: 0,
    snapshotPath: file,
    webhookEndpoints: [{ url, secret: "whsec_new", enabledEvents: ["checkout.session.completed"] }],
  });
  await after.close();
  expect(new Store(file).state.webhookEndpoints).toEqual([
    { url, secret: "whsec_new", enabledEvents: ["checkout.session.completed"] },
  ]);
});
