import { LoginForm } from "./login-form";

export const metadata = { title: "Sign in · Payrail" };

export default function LoginPage() {
  return (
    <div className="login panel">
      <h1>Sign in to Payrail</h1>
      <LoginForm />
      <p className="muted" style={{ fontSize: "0.85rem" }}>
        Demo accounts (password <code>payrail-demo-pass</code>): buyer@payrail.test, seller1@payrail.test,
        finance@payrail.test
      </p>
    </div>
  );
}
