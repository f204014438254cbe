import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TopBar } from "./_components/TopBar";
import "./globals.css";

export const metadata: Metadata = { title: "Jamie · Auto-DevOps", description: "Your on-call mate: live answers, Scarlet's incidents and approvals" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en-GB">
      <body>
        <TopBar />
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
