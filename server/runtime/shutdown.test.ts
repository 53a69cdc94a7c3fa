// Closing the HTTP server at shutdown: a request in flight finishes, new connections are refused,
// an idle keep-alive connection does not hold the process, and a request that never finishes is
// cut at the deadline.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { closeHttpServer, settlesWithin } from "./shutdown";

/** A server whose /slow requests wait until the test releases them. */
async function serverWithGate() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived!: () => void;
  const inFlight = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server: Server = createServer(async (req, res) => {
    if (req.url === "/slow") {
      arrived();
      await gate;
    }
    res.end("done");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, release, inFlight };
}

function get(port: number, path: string, agent?: import("node:http").Agent) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    httpRequest({ host: "127.0.0.1", port, path, agent }, (res: IncomingMessage) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("closeHttpServer", () => {
  it("lets a request in flight finish, refuses new ones, and ignores idle keep-alive connections", async () => {
    const { server, port, release, inFlight } = await serverWithGate();
    const keepAlive = new (await import("node:http")).Agent({ keepAlive: true });
    expect((await get(port, "/", keepAlive)).body).toBe("done"); // leaves an idle connection open
    const slow = get(port, "/slow");
    await inFlight;
    const closing = closeHttpServer(server, 10_000);
    await expect(get(port, "/")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(await settlesWithin(closing, 50)).toBe(false); // still waiting for /slow
    release();
    expect(await slow).toEqual({ status: 200, body: "done" });
    expect(await settlesWithin(closing, 5_000)).toBe(true);
    keepAlive.destroy();
  });

  it("cuts a request that outlives the deadline", async () => {
    const { server, port, inFlight } = await serverWithGate();
    const stuck = get(port, "/slow");
    await inFlight;
    const started = performance.now();
    await closeHttpServer(server, 200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    await expect(stuck).rejects.toMatchObject({ code: "ECONNRESET" });
  });
});
