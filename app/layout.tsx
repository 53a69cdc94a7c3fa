import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TopBar } from "@/components/top-bar";
import { Providers } from "@/components/trpc";
import "./globals.css";

export const metadata: Metadata = { title: "Payrail", description: "Marketplace payments console" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <TopBar />
          <main>{children}</main>
        </Providers>
      </body>
    </html>
  );
}
