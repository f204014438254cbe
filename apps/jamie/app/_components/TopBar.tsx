"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { getJson, postJson } from "../_lib/api";
import type { Me } from "../_lib/types";

const LINKS = [
  ["/", "Chat"],
  ["/incidents", "Incidents"],
  ["/approvals", "Approvals"],
  ["/estate", "Estate"],
  ["/audit", "Audit"],
  ["/report", "Report"],
] as const;

/** The bar on every page: where you are, who you are, and a way out. */
export function TopBar() {
  const path = usePathname();
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    if (path.startsWith("/login")) return;
    getJson<Me>("/api/me").then(setMe, () => setMe(null));
  }, [path]);
  if (path.startsWith("/login")) return null;
  const current = (href: string) => (href === "/" ? path === "/" : path.startsWith(href));
  return (
    <header className="top">
      <a className="skip" href="#main">Skip to content</a>
      <Link className="brand" href="/">Jamie · Auto-DevOps</Link>
      <nav aria-label="Main">
        {LINKS.map(([href, label]) => (
          <Link key={href} href={href} aria-current={current(href) ? "page" : undefined}>{label}</Link>
        ))}
      </nav>
      {me && (
        <div className="who">
          <span>{me.user.name} <span className="badge b-muted">{me.user.role}</span></span>
          <button onClick={() => void postJson("/api/auth/logout", {}).finally(() => (window.location.href = "/login"))}>Sign out</button>
        </div>
      )}
    </header>
  );
}
