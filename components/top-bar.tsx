import Link from "next/link";
import { LogoutButton } from "@/components/logout-button";
import { serverCaller } from "@/server/caller";

const links = {
  BUYER: [
    ["/shop", "Shop"],
    ["/shop/orders", "My payments"],
  ],
  SELLER: [
    ["/seller", "Overview"],
    ["/seller/statement", "Statement"],
    ["/seller/payouts", "Payouts"],
  ],
  FINANCE: [
    ["/finance", "Payments"],
    ["/finance/reviews", "Risk reviews"],
    ["/finance/ledger", "Ledger"],
    ["/finance/payouts", "Payouts"],
    ["/finance/reconciliation", "Reconciliation"],
    ["/finance/jobs", "Jobs"],
    ["/finance/audit", "Audit"],
  ],
} as const;

export async function TopBar() {
  const user = await (await serverCaller()).auth.me();
  return (
    <header className="topbar">
      <Link href="/" className="brand">
        Payrail
      </Link>
      <nav>
        {user &&
          links[user.role].map(([href, label]) => (
            <Link key={href} href={href}>
              {label}
            </Link>
          ))}
      </nav>
      {user ? (
        <>
          <span className="who">
            {user.name} · {user.role.toLowerCase()}
          </span>
          <LogoutButton />
        </>
      ) : (
        <Link href="/login">Sign in</Link>
      )}
    </header>
  );
}
