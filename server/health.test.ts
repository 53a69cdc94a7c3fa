// /api/health against a real database and job queue, and with each of them unreachable.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { createPostgresClient } from "@/server/db";
import { stopBoss } from "@/server/jobs/boss";
import { createTestDatabase } from "@/server/test/database";
import { type HealthReport, healthResponse, jobStats } from "./health";

const { url } = await createTestDatabase();
process.env.DATABASE_URL = url;
afterAll(() => stopBoss());

/** A TCP port nobody listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function report(response: Response): Promise<HealthReport> {
  return (await response.json()) as HealthReport;
}

describe("/api/health", () => {
  it("answers 200 with the database and the job queue ok", async () => {
    const response = await GET(
      new Request("http://127.0.0.1:3000/api/health", { headers: { "x-request-id": "lb-1" } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("lb-1");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await report(response);
    expect(body).toMatchObject({
      status: "ok",
      database: { status: "ok" },
      jobs: { status: "ok", deadLetters: 0 },
    });
  });

  it("answers 503 when the database is unreachable, without saying where it is", async () => {
    const port = await closedPort();
    const unreachable = createPostgresClient(`postgresql://payrail:secret-pw@127.0.0.1:${port}/payrail`, 1);
    try {
      const response = await healthResponse({ db: async () => unreachable, jobs: jobStats }, "r-1");
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({
        status: "down",
        database: { status: "down", reason: "error" },
        jobs: { status: "ok" },
      });
      expect(text).not.toContain(String(port));
      expect(text).not.toContain("secret-pw");
    } finally {
      await unreachable.$disconnect();
    }
  });

  it("answers 503 when the job queue fails", async () => {
    const response = await healthResponse(
      { db: async () => createPostgresClient(url, 1), jobs: () => Promise.reject(new Error("pg-boss gone")) },
      "r-2",
    );
    expect(response.status).toBe(503);
    expect(await report(response)).toMatchObject({
      database: { status: "ok" },
      jobs: { status: "down", reason: "error" },
    });
  });

  it("gives up on a database that accepts the connection but never answers", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const hanging = createPostgresClient(`postgresql://payrail@127.0.0.1:${port}/payrail`, 1);
    try {
      const response = await healthResponse(
        { db: async () => hanging, jobs: jobStats, timeoutMs: 300 },
        "r-3",
      );
      expect(response.status).toBe(503);
      const body = await report(response);
      expect(body.database).toMatchObject({ status: "down", reason: "timeout" });
      expect(body.database.latencyMs).toBeLessThan(2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await hanging.$disconnect().catch(() => {});
    }
  });
});
