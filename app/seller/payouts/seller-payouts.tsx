"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { formatDate, formatDateTime, formatMoney, formatTime } from "@/components/format";
import { Stat } from "@/components/stat";
import { StatusBadge } from "@/components/status-badge";
import { EmptyRow } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

const weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
type Schedule = "MONTHLY" | "WEEKLY" | "DAILY" | "MANUAL";

/** Dollars typed by a person → minor units, without floats ("12.5" → 1250n). */
function parseMoney(text: string): bigint | null {
  const match = /^\s*(\d{1,10})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? "0").padEnd(2, "0"));
}
const toText = (amount: bigint) => `${amount / 100n}.${(amount % 100n).toString().padStart(2, "0")}`;

export function SellerPayouts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const upcoming = useQuery(trpc.payout.upcoming.queryOptions());
  const settings = useQuery(trpc.payout.mySettings.queryOptions());
  const history = useQuery(trpc.payout.myPayouts.queryOptions({ limit: 50 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.payout.pathKey() });
  const connect = useMutation(trpc.payout.connectAccount.mutationOptions({ onSuccess: refresh }));
  const save = useMutation(trpc.payout.updateSettings.mutationOptions({ onSuccess: refresh }));

  const [form, setForm] = useState({
    schedule: "MONTHLY" as Schedule,
    dayOfMonth: 1,
    dayOfWeek: 1,
    minimum: "10.00",
    reserve: "0.00",
  });
  const [formError, setFormError] = useState<string | null>(null);
  useEffect(() => {
    if (!settings.data) return;
    setForm({
      schedule: settings.data.schedule,
      dayOfMonth: settings.data.dayOfMonth,
      dayOfWeek: settings.data.dayOfWeek,
      minimum: toText(settings.data.minimumAmount),
      reserve: toText(settings.data.reserveAmount),
    });
  }, [settings.data]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const minimumAmount = parseMoney(form.minimum);
    const reserveAmount = parseMoney(form.reserve);
    if (minimumAmount === null || reserveAmount === null) {
      setFormError("Enter amounts like 25 or 25.50");
      return;
    }
    setFormError(null);
    save.mutate({
      schedule: form.schedule,
      dayOfMonth: form.dayOfMonth,
      dayOfWeek: form.dayOfWeek,
      minimumAmount,
      reserveAmount,
    });
  }

  const next = upcoming.data;
  return (
    <div className="sections">
      <div className="grid">
        <Stat
          label="Next payout"
          value={next ? (next.nextDate ? formatDate(next.nextDate) : "Manual") : "…"}
          sub={next?.nextDate ? `at ${formatTime(next.nextDate)}` : undefined}
        />
        <Stat label="Estimated amount" value={next ? formatMoney(next.estimate, next.currency) : "…"} />
        <Stat label="Available balance" value={next ? formatMoney(next.available, next.currency) : "…"} />
        <Stat label="On its way" value={next ? formatMoney(next.inFlight, next.currency) : "…"} />
      </div>
      {next?.blocker && <p className="notice">{next.blocker}</p>}

      <div className="panel">
        <h2>Payout account</h2>
        {settings.data?.pspAccountId ? (
          <p>
            Connected: <code>{settings.data.pspAccountId}</code>
          </p>
        ) : (
          <div className="row">
            <p className="muted">
              Without a connected account we cannot pay you; your balance stays in your wallet.
            </p>
            <span className="spacer" />
            <button type="button" disabled={connect.isPending} onClick={() => connect.mutate()}>
              Connect payout account
            </button>
          </div>
        )}
        {connect.error && <p className="error">{connect.error.message}</p>}
      </div>

      <form className="panel stack" onSubmit={submit}>
        <h2>Schedule</h2>
        <label>
          How often
          <select
            value={form.schedule}
            onChange={(event) => setForm({ ...form, schedule: event.target.value as Schedule })}
          >
            <option value="MONTHLY">Monthly</option>
            <option value="WEEKLY">Weekly</option>
            <option value="DAILY">Daily</option>
            <option value="MANUAL">Manual (only when finance runs a payout)</option>
          </select>
        </label>
        {form.schedule === "MONTHLY" && (
          <label>
            Day of the month
            <input
              type="number"
              min={1}
              max={28}
              value={form.dayOfMonth}
              onChange={(event) => setForm({ ...form, dayOfMonth: Number(event.target.value) })}
            />
          </label>
        )}
        {form.schedule === "WEEKLY" && (
          <label>
            Day of the week
            <select
              value={form.dayOfWeek}
              onChange={(event) => setForm({ ...form, dayOfWeek: Number(event.target.value) })}
            >
              {weekdays.map((day, index) => (
                <option key={day} value={index}>
                  {day}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Minimum payout (USD)
          <input
            inputMode="decimal"
            value={form.minimum}
            onChange={(event) => setForm({ ...form, minimum: event.target.value })}
          />
        </label>
        <label>
          Reserve kept in your balance (USD)
          <input
            inputMode="decimal"
            value={form.reserve}
            onChange={(event) => setForm({ ...form, reserve: event.target.value })}
          />
        </label>
        {(formError ?? save.error?.message) && <p className="error">{formError ?? save.error?.message}</p>}
        {save.isSuccess && <p className="success">Saved.</p>}
        <div>
          <button type="submit" disabled={save.isPending}>
            Save schedule
          </button>
        </div>
      </form>

      <h2>History</h2>
      <table>
        <thead>
          <tr>
            <th>Created</th>
            <th>Status</th>
            <th className="num">Amount</th>
            <th>Statement</th>
          </tr>
        </thead>
        <tbody>
          {history.data?.payouts.length === 0 && (
            <EmptyRow columns={4} title="No payouts yet">
              Your available balance is paid out on your schedule, once it reaches your minimum.
            </EmptyRow>
          )}
          {history.data?.payouts.map((payout) => (
            <tr key={payout.id}>
              <td>{formatDateTime(payout.createdAt)}</td>
              <td>
                <StatusBadge status={payout.status} />
                {payout.failureReason && <div className="error">{payout.failureReason}</div>}
              </td>
              <td className="num">{formatMoney(payout.amount, payout.currency)}</td>
              <td>
                {payout.lines.map((line) => (
                  <div key={`${line.kind}-${String(line.createdAt)}`} className="muted">
                    {line.description}: {formatMoney(line.amount, payout.currency)}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
