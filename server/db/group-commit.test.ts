import { describe, expect, it } from "vitest";
import { groupCommit, type Settled } from "./group-commit";

/** A writer whose batches finish only when the test says so, recording what it was given. */
function controlledWriter() {
  const batches: number[][] = [];
  const finishers: (() => void)[] = [];
  const write = (items: number[]) => {
    batches.push(items);
    return new Promise<Settled<string>[]>((resolve) => {
      finishers.push(() =>
        resolve(
          items.map((item) =>
            item < 0 ? { ok: false, error: new Error(`bad ${item}`) } : { ok: true, value: `done ${item}` },
          ),
        ),
      );
    });
  };
  return { batches, finishers, write };
}

describe("group commit", () => {
  it("writes a lone item at once and batches what arrives while a batch is written", async () => {
    const writer = controlledWriter();
    const add = groupCommit(writer.write, 3);
    const first = add(1);
    const rest = [add(2), add(3), add(4), add(5)];
    expect(writer.batches).toEqual([[1]]);
    writer.finishers[0]!();
    expect(await first).toBe("done 1");
    await Promise.resolve();
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
    writer.finishers[1]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.batches).toEqual([[1], [2, 3, 4], [5]]);
    writer.finishers[2]!();
    expect(await Promise.all(rest)).toEqual(["done 2", "done 3", "done 4", "done 5"]);
  });

  it("fails only the caller whose item failed", async () => {
    const writer = controlledWriter();
    const add = groupCommit(writer.write, 10);
    const first = add(1);
    const good = add(2);
    const bad = add(-3);
    writer.finishers[0]!();
    await first;
    await Promise.resolve();
    writer.finishers[1]!();
    expect(await good).toBe("done 2");
    await expect(bad).rejects.toThrow("bad -3");
  });

  it("writes each item of a batch that threw alone, so only the items that fail alone fail", async () => {
    const batches: number[][] = [];
    // Throws for any batch holding a negative item, as a transaction one bad row rolls back.
    const add = groupCommit<number, number>(async (items) => {
      batches.push(items);
      if (items.some((item) => item < 0)) throw new Error("rolled back");
      return items.map((item) => ({ ok: true, value: item * 10 }));
    }, 10);
    const outcomes = await Promise.allSettled([add(1), add(2), add(-3), add(4)]);
    expect(outcomes).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "fulfilled", value: 20 },
      { status: "rejected", reason: new Error("rolled back") },
      { status: "fulfilled", value: 40 },
    ]);
    expect(batches).toEqual([[1], [2, -3, 4], [2], [-3], [4]]);
  });
});
