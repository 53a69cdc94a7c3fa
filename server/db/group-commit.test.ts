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

  it("fails only the caller whose item failed, and every caller of a batch that threw", async () => {
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

    const failing = groupCommit<number, string>(async () => {
      throw new Error("database down");
    }, 10);
    const outcomes = await Promise.allSettled([failing(1), failing(2)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
  });
});
