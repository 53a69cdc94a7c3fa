import type { ComponentProps, ReactNode } from "react";

interface StatProps extends Omit<ComponentProps<"div">, "className" | "children"> {
  label: ReactNode;
  value: ReactNode;
  sub?: ReactNode;
}

/** A labelled figure, one card of a `.grid`; other attributes (data-testid…) go on the card. */
export function Stat({ label, value, sub, ...card }: StatProps) {
  return (
    <div className="stat" {...card}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {sub !== undefined && <div className="sub">{sub}</div>}
    </div>
  );
}
