// Named places where the chaos harness may kill the process (PAYRAIL_CRASH_POINTS=name:probability,…),
// to prove that a crash there leaves nothing half-written. Inert unless the variable is set.
const configured = new Map(
  (process.env.PAYRAIL_CRASH_POINTS ?? "")
    .split(",")
    .filter(Boolean)
    .map((item) => {
      const [name, probability] = item.split(":");
      return [name!, Number(probability ?? 1)] as const;
    }),
);

export function crashPoint(name: string): void {
  const probability = configured.get(name);
  if (probability !== undefined && Math.random() < probability) {
    process.kill(process.pid, "SIGKILL");
  }
}
