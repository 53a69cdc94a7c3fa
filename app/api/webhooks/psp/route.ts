import { getDb } from "@/server/db";
import { webhookSecrets } from "@/server/env";
import { receivePspWebhook } from "@/server/payin/webhook-endpoint";

export async function POST(request: Request) {
  const result = await receivePspWebhook(
    await getDb(),
    await request.text(),
    request.headers.get("stripe-signature"),
    webhookSecrets(),
  );
  return Response.json(result.body, { status: result.status });
}
