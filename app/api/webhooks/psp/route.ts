import { getDb } from "@/server/db";
import { webhookSecrets } from "@/server/env";
import { log, REQUEST_ID_HEADER, requestIdFrom, withRequestId } from "@/server/log";
import { receivePspWebhook } from "@/server/payin/webhook-endpoint";

export async function POST(request: Request) {
  const requestId = requestIdFrom(request.headers);
  return withRequestId(requestId, async () => {
    const started = performance.now();
    try {
      const result = await receivePspWebhook(
        await getDb(),
        await request.text(),
        request.headers.get("stripe-signature"),
        webhookSecrets(),
      );
      const durationMs = Math.round(performance.now() - started);
      // A refused signature is worth a warning: a misconfigured secret or someone probing.
      const level = result.status >= 500 ? "error" : result.status >= 400 ? "warn" : "info";
      log()[level]({ status: result.status, durationMs }, "psp webhook");
      return Response.json(result.body, {
        status: result.status,
        headers: { [REQUEST_ID_HEADER]: requestId },
      });
    } catch (error) {
      log().error({ err: error, durationMs: Math.round(performance.now() - started) }, "psp webhook");
      return Response.json(
        { error: "internal error" },
        { status: 500, headers: { [REQUEST_ID_HEADER]: requestId } },
      );
    }
  });
}
