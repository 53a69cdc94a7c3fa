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
 * items in arrival order and returns one outcome per item; if it throws, every caller of that
 * batch gets the error. One batch is written at a time, of at most `maxBatch` items.
 */
export function groupCommit<I, O>(
  write: (items: I[]) => Promise<Settled<O>[]>,
  maxBatch: number,
): (item: I) => Promise<O> {
  const queue: Waiting<I, O>[] = [];
  let writing = false;

  const drain = async () => {
    writing = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const outcomes = await write(batch.map((waiting) => waiting.item));
        batch.forEach((waiting, index) => {
          const outcome = outcomes[index];
          if (!outcome) waiting.reject(new Error("group commit: no outcome for an item"));
          else if (outcome.ok) waiting.resolve(outcome.value);
          else waiting.reject(outcome.error);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    writing = false;
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
