// Finance's decisions on a mismatch: resolve, adjust (an adjustment ledger transaction), or
// ignore with a note. Every decision is audited.
import { audit } from "@/server/audit/audit";
import type { Db } from "@/server/db";
import { DomainError, NotFoundError } from "@/server/errors";
import { postTransaction } from "@/server/ledger/post-transaction";

export interface ResolveInput {
  itemId: bigint;
  action: "RESOLVE" | "ADJUST" | "IGNORE";
  note: string;
  /** For ADJUST: the signed amount (minor units) to move from psp_clearing to settlement_adjustments. */
  adjustment?: bigint;
}

export async function resolveItem(db: Db, actor: { id: string; email: string }, input: ResolveInput) {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM recon_item WHERE id = ${input.itemId} FOR UPDATE`;
    const item = await tx.reconItem.findUnique({ where: { id: input.itemId } });
    if (!item) throw new NotFoundError("Reconciliation item");
    if (item.resolution !== "OPEN")
      throw new DomainError("This item has already been dealt with", "CONFLICT");
    if (input.action === "ADJUST") {
      const amount = input.adjustment ?? 0n;
      if (amount === 0n) throw new DomainError("An adjustment needs a non-zero amount", "BAD_REQUEST");
      const magnitude = amount < 0n ? -amount : amount;
      await postTransaction(tx, {
        kind: "recon.adjustment",
        reference: String(item.id),
        currency: "usd",
        description: `Reconciliation adjustment: ${input.note}`,
        entries: [
          {
            account: "settlement_adjustments",
            direction: amount > 0n ? "DEBIT" : "CREDIT",
            amount: magnitude,
          },
          { account: "psp_clearing", direction: amount > 0n ? "CREDIT" : "DEBIT", amount: magnitude },
        ],
      });
    }
    const resolution =
      input.action === "ADJUST" ? "ADJUSTED" : input.action === "IGNORE" ? "IGNORED" : "RESOLVED";
    const updated = await tx.reconItem.update({
      where: { id: item.id },
      data: { resolution, resolvedBy: actor.id, resolvedAt: new Date(), note: input.note },
    });
    await audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: `recon.${input.action.toLowerCase()}`,
      entity: "recon_item",
      entityId: String(item.id),
      before: { resolution: item.resolution },
      after: { resolution, note: input.note, adjustment: input.adjustment },
    });
    return updated;
  });
}
