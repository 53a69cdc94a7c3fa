"use client";
// Succeeded payments per day: amount as bars (left axis), count as a line (right axis). Amounts
// arrive as bigint minor units summed in SQL; they become floats only for bar heights, while the
// tooltip and totals keep formatting the exact bigint.
import { useQuery } from "@tanstack/react-query";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatDate, formatMoney, toMajorUnits } from "@/components/format";
import { useTRPC } from "@/components/trpc";

const DAYS = 30;
const accent = "#2456d6";
const countColor = "#0f9d75";

interface Point {
  day: string;
  label: string;
  amount: number;
  exactAmount: bigint;
  count: number;
}

function compactMoney(value: number, currency: string) {
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: currency.toUpperCase(),
    notation: "compact",
    maximumFractionDigits: 1,
  }).format(value);
}

function ChartTooltip({
  active,
  payload,
  currency,
}: {
  active?: boolean;
  payload?: readonly { payload?: Point }[];
  currency: string;
}) {
  const point = payload?.[0]?.payload;
  if (!active || !point) return null;
  return (
    <div className="chart-tooltip">
      <div style={{ fontWeight: 600, marginBottom: 4 }}>{formatDate(point.day)}</div>
      <div>
        <span className="legend-dot" style={{ background: accent }} />
        {formatMoney(point.exactAmount, currency)}
      </div>
      <div>
        <span className="legend-dot" style={{ background: countColor }} />
        {point.count} payment{point.count === 1 ? "" : "s"}
      </div>
    </div>
  );
}

export function VolumeChart() {
  const trpc = useTRPC();
  const volume = useQuery(trpc.payin.volume.queryOptions({ days: DAYS }, { refetchInterval: 30_000 }));
  const data = volume.data;
  const currency = data?.currency ?? "usd";
  const points: Point[] =
    data?.days.map((row) => ({
      day: row.day,
      label: new Date(`${row.day}T00:00:00Z`).toLocaleDateString("en-GB", {
        day: "numeric",
        month: "short",
        timeZone: "UTC",
      }),
      amount: toMajorUnits(row.amount, currency),
      exactAmount: row.amount,
      count: row.count,
    })) ?? [];
  const summary = data
    ? `${data.totalCount} succeeded payments totalling ${formatMoney(data.totalAmount, currency)} in the last ${DAYS} days`
    : "Loading payment volume";

  return (
    <section className="chart-panel" data-testid="volume-chart" aria-label="Payment volume">
      <div className="chart-head">
        <h2>
          Volume{" "}
          <span className="muted" style={{ fontWeight: 400, fontSize: "0.9rem" }}>
            · succeeded, last {DAYS} days (UTC)
          </span>
        </h2>
        <div className="figure">
          <div className="label">
            <span className="legend-dot" style={{ background: accent }} />
            Amount
          </div>
          <div className="value" data-testid="volume-amount">
            {data ? formatMoney(data.totalAmount, currency) : <span className="skeleton" />}
          </div>
        </div>
        <div className="figure">
          <div className="label">
            <span className="legend-dot" style={{ background: countColor }} />
            Payments
          </div>
          <div className="value" data-testid="volume-count">
            {data ? data.totalCount.toLocaleString("en-US") : <span className="skeleton" />}
          </div>
        </div>
      </div>
      <div className="chart-box" role="img" aria-label={summary}>
        {volume.error && <div className="chart-empty">Could not load the volume: {volume.error.message}</div>}
        {data && data.totalCount === 0 && (
          <div className="chart-empty">No succeeded payments in this period.</div>
        )}
        {data && (
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={points} margin={{ top: 8, right: 4, bottom: 0, left: 4 }}>
              <CartesianGrid vertical={false} stroke="#eef1f5" />
              <XAxis
                dataKey="label"
                tickLine={false}
                axisLine={{ stroke: "#e3e7ed" }}
                tick={{ fontSize: 11, fill: "#5d6b7e" }}
                interval="preserveStartEnd"
                minTickGap={18}
              />
              <YAxis
                yAxisId="amount"
                tickLine={false}
                axisLine={false}
                width={64}
                tick={{ fontSize: 11, fill: "#5d6b7e" }}
                tickFormatter={(value: number) => compactMoney(value, currency)}
              />
              <YAxis
                yAxisId="count"
                orientation="right"
                allowDecimals={false}
                tickLine={false}
                axisLine={false}
                width={36}
                tick={{ fontSize: 11, fill: "#5d6b7e" }}
              />
              <Tooltip
                cursor={{ fill: "rgba(36, 86, 214, 0.06)" }}
                content={(props) => (
                  <ChartTooltip
                    active={props.active}
                    payload={props.payload as readonly { payload?: Point }[] | undefined}
                    currency={currency}
                  />
                )}
              />
              <Bar
                yAxisId="amount"
                dataKey="amount"
                name="Amount"
                fill={accent}
                radius={[3, 3, 0, 0]}
                isAnimationActive={false}
                maxBarSize={22}
              />
              <Line
                yAxisId="count"
                dataKey="count"
                name="Payments"
                type="linear"
                stroke={countColor}
                strokeWidth={2}
                dot={false}
                activeDot={{ r: 4 }}
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </div>
    </section>
  );
}
