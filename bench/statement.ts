// A seller's statement reads against a long history: one seller with `entries` postings (default
// 100,000, written in batches of 1,000), then the statement's totals and first page for all time,
// the newest 1 % of the history, 1 % in its middle and a period with nothing in it. (The ledger
// is append-only and an entry's time is its transaction's, so the periods are cut at moments of
// the history, not at calendar days.)
//   npm run bench -- statement [entries=100000]
import { randomUUID } from "node:crypto";
import { dayRange } from "@/server/days";
import { createPostgresClient } from "@/server/db";
import { ensureSellerAccounts, postTransactions } from "@/server/ledger/post-transaction";
import { accountStatement, type Period, periodTotals } from "@/server/ledger/queries";
import { benchDatabase, percentile } from "./lib";

const entries = Number(process.argv[2] ?? 100_000);
const { cluster, url } = await benchDatabase();
const db = createPostgresClient(url, 4);
try {
  const user = await db.user.create({
    data: { email: "big@bench", name: "Big seller", passwordHash: "x", role: "SELLER" },
  });
  const seller = await db.seller.create({ data: { userId: user.id, name: user.name } });
  await ensureSellerAccounts(db, seller.id, "usd");
  const code = `seller_pending:${seller.id}`;
  const filled = performance.now();
  for (let done = 0; done < entries; done += 1_000) {
    const postings = Array.from({ length: Math.min(1_000, entries - done) }, () => ({
      kind: "payin",
      reference: randomUUID(),
      currency: "usd",
      entries: [
        { account: "psp_clearing", direction: "DEBIT" as const, amount: 10_000n },
        { account: code, direction: "CREDIT" as const, amount: 9_000n },
        { account: "commission_revenue", direction: "CREDIT" as const, amount: 1_000n },
      ],
    }));
    await db.$transaction((tx) => postTransactions(tx, postings), { timeout: 60_000 });
  }
  await db.$executeRawUnsafe("ANALYZE");
  const fillSeconds = (performance.now() - filled) / 1000;
  const moments = await db.$queryRawUnsafe<{ at: Date }[]>(
    `SELECT e.created_at AS at FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id
      WHERE a.code = $1 ORDER BY e.id`,
    code,
  );
  const at = (fraction: number) => moments[Math.floor(fraction * (moments.length - 1))]!.at;
  const periods: [string, Period | undefined][] = [
    ["all time", undefined],
    ["the last 1 %", { gte: at(0.99) }],
    ["1 % in the middle", { gte: at(0.5), lt: at(0.51) }],
    ["a day with nothing (2020-01-01)", dayRange("2020-01-01", "2020-01-01")],
  ];
  console.log(
    `statement: one seller, ${moments.length.toLocaleString("en-US")} entries written in ${fillSeconds.toFixed(1)} s`,
  );
  for (const [label, period] of periods) {
    const totalsMs: number[] = [];
    const pageMs: number[] = [];
    for (let round = 0; round < 7; round++) {
      let started = performance.now();
      await periodTotals(db, code, period);
      totalsMs.push(performance.now() - started);
      started = performance.now();
      await accountStatement(db, code, { limit: 50, period });
      pageMs.push(performance.now() - started);
    }
    console.log(
      `statement, ${label}: totals p50 ${percentile(totalsMs, 50)} ms; first page of 50 lines p50 ${percentile(pageMs, 50)} ms`,
    );
  }
} finally {
  await db.$disconnect();
  await cluster.stop();
}
