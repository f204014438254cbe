"use client";
import { useState, type FormEvent } from "react";
import { postJson } from "../_lib/api";

export default function Login() {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError("");
    try {
      await postJson("/api/auth/login", { username: String(f.get("username") ?? ""), password: String(f.get("password") ?? "") });
      const next = new URLSearchParams(window.location.search).get("next");
      window.location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
    } catch (err) {
      setError(err instanceof Error ? err.message : "sign-in failed");
      setBusy(false);
    }
  };
  return (
    <div className="panel" style={{ maxWidth: 380, margin: "10vh auto" }}>
      <h1>Sign in to Jamie</h1>
      <p className="muted small">Your on-call mate for the Auto-DevOps estate.</p>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="username">Name</label>
        <input id="username" name="username" autoComplete="username" required style={{ width: "100%" }} />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required style={{ width: "100%" }} />
        {error && <p className="error" role="alert">{error}</p>}
        <p><button className="primary" type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button></p>
      </form>
    </div>
  );
}
