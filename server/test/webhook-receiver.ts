// Payrail's webhook endpoint on a loopback port, as the Next route runs it, for the pay-in tests
// and benchmark (which run Payrail's code in their own process, without Next).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@/server/db";
import { receivePspWebhook } from "@/server/payin/webhook-endpoint";

export async function startWebhookReceiver(db: Db, secret: string) {
  /** How long each answer took from the body's arrival, in ms, in the order of the answers. */
  const answerMs: number[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received = performance.now();
    const result = await receivePspWebhook(
      db,
      Buffer.concat(chunks).toString("utf8"),
      (request.headers["stripe-signature"] as string | undefined) ?? null,
      [secret],
    ).catch((error: Error) => ({ status: 500, body: { error: error.message } }));
    response.writeHead(result.status, { "content-type": "application/json" });
    response.end(JSON.stringify(result.body));
    answerMs.push(performance.now() - received);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    answerMs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
