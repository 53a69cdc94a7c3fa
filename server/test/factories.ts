// Test data made the way the app makes it (real password hashes, real rows).
import type { PrismaClient } from "@/generated/prisma/client";
import { hashPassword } from "@/server/auth/password";

let cachedHash: Promise<string> | undefined;
export const TEST_PASSWORD = "correct horse battery staple";

export async function createUser(
  db: PrismaClient,
  role: "BUYER" | "SELLER" | "FINANCE",
  options: { email?: string; name?: string; commissionBps?: number } = {},
) {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  const suffix = Math.random().toString(36).slice(2, 10);
  const user = await db.user.create({
    data: {
      email: options.email ?? `${role.toLowerCase()}-${suffix}@test.local`,
      name: options.name ?? `${role} ${suffix}`,
      role,
      passwordHash: await cachedHash,
    },
  });
  const seller =
    role === "SELLER"
      ? await db.seller.create({
          data: { userId: user.id, name: user.name, commissionBps: options.commissionBps ?? 1000 },
        })
      : null;
  return { user, seller };
}
