// Group commit: calls that arrive while a batch is being written wait and go together in the
// next one, so under load many callers share one database transaction (and its round trips and
// commit), while a lone call runs at once with no added delay.

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Returns a function that queues an item and resolves with its own result. `write` gets the
 * items in arrival order and returns one outcome per item. If it throws for a batch, each item
 * is written again alone, so one bad item (or a deadlock) fails only its own caller. One batch
 * is written at a time, of at most `maxBatch` items.
 */
export function groupCommit<I, O>(
  write: (items: I[]) => Promise<Settled<O>[]>,
  maxBatch: number,
): (item: I) => Promise<O> {
  const queue: Waiting<I, O>[] = [];
  let writing = false;

  const settle = async (items: I[]): Promise<Settled<O>[]> => {
    try {
      return await write(items);
    } catch (error) {
      if (items.length === 1) return [{ ok: false, error }];
      return Promise.all(items.map(async (item) => (await settle([item]))[0]!));
    }
  };

  const drain = async () => {
    writing = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      const outcomes = await settle(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, index) => {
        const outcome = outcomes[index];
        if (!outcome) waiting.reject(new Error("group commit: no outcome for an item"));
        else if (outcome.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome.error);
      });
    }
    writing = false;
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}

/**
 * `groupCommit` with one queue per database client: `write` gets the client with the batch.
 * Returns the function callers use, `(db, item) => result`.
 */
export function groupCommitPerDb<D extends object, I, O>(
  write: (db: D, items: I[]) => Promise<Settled<O>[]>,
  maxBatch: number,
): (db: D, item: I) => Promise<O> {
  const writers = new WeakMap<D, (item: I) => Promise<O>>();
  return (db, item) => {
    let add = writers.get(db);
    if (!add) {
      add = groupCommit((items: I[]) => write(db, items), maxBatch);
      writers.set(db, add);
    }
    return add(item);
  };
}

/**
 * The outcomes of a batch that may hold one key twice (a duplicate delivery): the first item of
 * a key gets whether `done` holds it; a later one finds it done already (false).
 */
export function firstOfEachKey<I>(
  items: I[],
  keyOf: (item: I) => string,
  done: Set<string>,
): Settled<boolean>[] {
  const answered = new Set<string>();
  return items.map((item) => {
    const key = keyOf(item);
    const first = !answered.has(key);
    answered.add(key);
    return { ok: true, value: first && done.has(key) };
  });
}

/** The outcomes of a batch whose every item was written by the one statement that succeeded. */
export function allWritten(items: unknown[]): Settled<void>[] {
  return items.map(() => ({ ok: true, value: undefined }));
}
