// The emulator's hosted payment page: what a buyer sees at the PSP. Plain HTML, no external
// assets, its own strict CSP. Card numbers stay here; Payrail never sees them.
import type Stripe from "stripe";

/** The session id in a hosted page's URL (`…/pay/<id>`): what the emulator's scripted buyers pay. */
export function sessionIdOfPageUrl(url: string | null | undefined): string {
  return /\/pay\/([^/?#]+)/.exec(url ?? "")?.[1] ?? "";
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!,
  );

function money(amount: number, currency: string) {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(
    amount / 100,
  );
}

const style = `
body{font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f8;color:#1a1f36;margin:0}
.wrap{max-width:880px;margin:3rem auto;display:grid;grid-template-columns:1fr 1fr;gap:2rem;padding:0 1rem}
.summary h1{font-size:1rem;color:#697386;font-weight:500;margin:0 0 .5rem}.total{font-size:2rem;font-weight:650;margin-bottom:1.5rem}
.line{display:flex;justify-content:space-between;padding:.4rem 0;border-bottom:1px solid #e3e8ee;font-size:.95rem}
form,.card{background:#fff;border-radius:10px;padding:1.5rem;box-shadow:0 2px 8px rgba(26,31,54,.08);display:grid;gap:1rem}
label{display:grid;gap:.35rem;font-size:.85rem;color:#3c4257}input{font:inherit;padding:.6rem .7rem;border:1px solid #cfd7df;border-radius:6px}
.row{display:grid;grid-template-columns:1fr 1fr;gap:.75rem}button{font:inherit;background:#635bff;color:#fff;border:0;border-radius:6px;padding:.75rem;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#635bff;border:1px solid #635bff}.error{background:#fdecea;color:#b42318;padding:.6rem .8rem;border-radius:6px}
.test{font-size:.78rem;color:#697386}.brand{font-weight:700;color:#635bff;margin-bottom:1rem}a{color:#635bff}
.back{display:inline-block;margin-bottom:1.25rem;font-size:.9rem}`;

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:">
<style>${style}</style></head><body>${body}</body></html>`;
}

export function paymentPage(session: Stripe.Checkout.Session, lines: Stripe.LineItem[], error?: string) {
  const currency = session.currency ?? "usd";
  const items = lines
    .map(
      (line) =>
        `<div class="line"><span>${escapeHtml(line.description ?? "")} × ${line.quantity}</span><span>${money(line.amount_total, currency)}</span></div>`,
    )
    .join("");
  const cancel = session.cancel_url
    ? `<a class="back" href="${escapeHtml(session.cancel_url)}">← Back to the shop</a>`
    : "";
  return page(
    "Pay · PSP emulator",
    `<div class="wrap"><div class="summary"><div class="brand">PSP emulator · test mode</div>${cancel}
<h1>Pay</h1><div class="total">${money(session.amount_total ?? 0, currency)}</div>${items}</div>
<form method="post" action="/pay/${escapeHtml(session.id)}">
${error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : ""}
<label>Card number<input name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required></label>
<div class="row"><label>Expiry<input name="expiry" placeholder="MM / YY" autocomplete="cc-exp" required></label>
<label>CVC<input name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="123" required></label></div>
<label>Name on card<input name="name" autocomplete="cc-name"></label>
<button type="submit">Pay ${money(session.amount_total ?? 0, currency)}</button>
<div class="test">Test mode: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 3220 asks for 3-D Secure.</div>
</form></div>`,
  );
}

export function authenticationPage(session: Stripe.Checkout.Session) {
  return page(
    "Authenticate · PSP emulator",
    `<div class="wrap"><div class="summary"><div class="brand">PSP emulator · 3-D Secure</div>
<h1>Confirm this payment with your bank</h1><div class="total">${money(session.amount_total ?? 0, session.currency ?? "usd")}</div></div>
<div class="card"><p>This is a test 3-D Secure challenge.</p>
<form method="post" action="/pay/${escapeHtml(session.id)}/authenticate"><input type="hidden" name="result" value="complete"><button type="submit">Complete authentication</button></form>
<form method="post" action="/pay/${escapeHtml(session.id)}/authenticate"><input type="hidden" name="result" value="fail"><button class="secondary" type="submit">Fail authentication</button></form>
</div></div>`,
  );
}

export function closedPage(session: Stripe.Checkout.Session) {
  return page(
    "Payment · PSP emulator",
    `<div class="wrap"><div class="card"><h1>This payment page is ${escapeHtml(session.status ?? "closed")}.</h1></div></div>`,
  );
}
