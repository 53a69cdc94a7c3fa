import { getDb } from "@/server/db";
import { seedDemo } from "@/server/seed";

const db = await getDb();
const { sellerIds } = await seedDemo(db);
console.log(`seeded demo data (${sellerIds.length} sellers)`);
await db.$disconnect();
process.exit(0);
