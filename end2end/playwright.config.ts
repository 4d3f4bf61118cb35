import { defineConfig } from "@playwright/test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const CHROMIUM_ARGS: string[] = JSON.parse(
  fs.readFileSync(path.join(__dirname, "chromium-args.json"), "utf8"),
);

// The app under test sends real mail through maildev (SMTP on loopback); tests read the codes
// from maildev's REST API. Each run gets a fresh data directory.
export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);
export const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 1025);
export const MAIL_API = `http://127.0.0.1:${process.env.E2E_MAIL_WEB_PORT ?? 1080}`;

/** The one account listed in ADMIN_EMAILS for the app under test. */
export const ADMIN_EMAIL = "admin-e2e@example.com";

const root = path.resolve(__dirname, "..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clouddrive-e2e-"));
const serverBin = process.env.E2E_SERVER_BIN ?? path.join(root, "target/debug/server");

export default defineConfig({
  testDir: "./tests",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        browserName: "chromium",
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          // The same flags as the front-end benchmark (bench/frontend.mjs).
          args: CHROMIUM_ARGS,
        },
      },
    },
  ],
  webServer: [
    {
      command: `npx maildev --smtp ${SMTP_PORT} --web ${MAIL_API.split(":").pop()} --ip 127.0.0.1`,
      url: `${MAIL_API}/api/email`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: serverBin,
      cwd: root,
      url: `http://127.0.0.1:${APP_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      env: {
        DATA_DIR: dataDir,
        SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
        LEPTOS_SITE_ADDR: `127.0.0.1:${APP_PORT}`,
        LEPTOS_SITE_ROOT: path.join(root, "target/site"),
        LEPTOS_OUTPUT_NAME: "clouddrive",
        // Every test comes from 127.0.0.1: the per-IP limit is tested separately.
        AUTH_RATE_LIMIT_PER_MINUTE: "1000",
        ADMIN_EMAILS: ADMIN_EMAIL,
        // Small enough that a test can fill a drive, or a listing's first page.
        DEFAULT_QUOTA_BYTES: "20000000",
        LIST_PAGE_SIZE: "8",
        CLUSTER_HEALTH_INTERVAL_MS: "500",
        RUST_LOG: "info",
      },
    },
  ],
});
