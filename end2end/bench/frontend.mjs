#!/usr/bin/env node
// Front-end benchmark: two builds of the app (a baseline and the current code) measured in one
// run, in headless Chromium driven by Playwright over the DevTools protocol.
//
// For each page and each server, in a browser with a new profile (an empty HTTP cache on disk):
//   - first visit: bytes transferred (as on the wire: compressed, headers included; CDP
//     Network.loadingFinished.encodedDataLength) by kind (document, script, wasm, css, api,
//     other), and the time until the page is hydrated (`<html data-hydrated="true">`);
//   - repeat visit: a new tab in the same profile (same HTTP cache) opening the same address:
//     the bytes transferred apart from the HTML document and /api/ data, and again the time
//     until hydrated.
// The CPU is throttled 4x (Emulation.setCPUThrottlingRate) and the network slowed to 1.6 Mbit/s
// with 150 ms latency (Network.emulateNetworkConditions), unless THROTTLE=0 (dry runs on debug
// builds). Each measurement runs RUNS times (default 3), baseline and current interleaved; the
// report gives medians. The exit code is 0 whatever the figures (this is a benchmark), 1 only
// when the harness itself fails.
//
// Each measurement launches Chromium on a new, empty profile directory rather than opening an
// incognito-like `browser.newContext()`, whose in-memory HTTP cache does not keep entries over
// about 1.25 MB (a big WASM file would download again on every visit). The repeat visit opens
// a new tab: a reload would revalidate every file, a plain navigation in a new tab uses the
// cache as a returning visitor's browser does.
//
// Environment:
//   BASELINE_URL, CURRENT_URL        the two servers (e.g. http://127.0.0.1:4110)
//   BASELINE_OUTBOX, CURRENT_OUTBOX  each server's DATA_DIR/outbox (mail files, for the login
//                                    codes of the account /drive is measured with); without
//                                    one, /drive is skipped for that server
//   BASELINE_TOKEN, CURRENT_TOKEN    alternatively a session token to use as is
//   RUNS                             measurements per page and server (default 3)
//   PAGES                            comma-separated paths (default the six below)
//   THROTTLE                         0 to measure without CPU and network throttling
//   HYDRATE_TIMEOUT_MS               per visit (default 180000)
//   OUT_JSON                         also write every figure there as JSON
//   CHROMIUM_PATH                    default /usr/bin/chromium
//   BENCH_VERBOSE                    1: print each request of each visit
//
// Time to hydrated: an init script (which runs in every new document before any of the page's
// own scripts) watches `<html>` with a MutationObserver and stores `performance.now()` the
// moment `data-hydrated` turns "true". `performance.now()` counts from the document's time
// origin, which for a navigation is its start (the same zero as the Navigation Timing entry),
// so the figure is "navigation start to hydrated", read inside the page: neither Playwright's
// polling interval nor the round trips of the DevTools protocol are part of it, and CPU
// throttling slows the page's work, not its clock. Playwright's waitForFunction only waits
// for the value to appear.

import { chromium } from "playwright";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const KB = 1000; // budgets in KB of 1000 bytes (stricter than KiB)
const TOKEN_KEY = "clouddrive.token";
const PASSWORD = "tangerine-orbit-saddle-42-bench";
const DEFAULT_PAGES = ["/", "/skillshare", "/skillshare/book/c-guitar-first-chords", "/login", "/register", "/drive"];
const PUBLIC_PAGES = ["/", "/skillshare", "/skillshare/book/c-guitar-first-chords", "/login", "/register"];
const LOGGED_IN_PAGES = new Set(["/drive"]);

const env = process.env;
const RUNS = Math.max(1, Number(env.RUNS ?? 3) || 3);
const THROTTLE = !["0", "false", "no", "off"].includes(String(env.THROTTLE ?? "1").toLowerCase());
const HYDRATE_TIMEOUT_MS = Number(env.HYDRATE_TIMEOUT_MS ?? 180_000);
const QUIET_MS = 500; // the network counts as settled after this long with nothing in flight
const SETTLE_CAP_MS = 30_000;
const VERBOSE = env.BENCH_VERBOSE === "1";
const PAGES = (env.PAGES ? env.PAGES.split(",") : DEFAULT_PAGES).map((p) => p.trim()).filter(Boolean);

const NETWORK = {
  offline: false,
  latency: 150, // ms, added to each response
  downloadThroughput: 1.6e6 / 8, // bytes per second
  uploadThroughput: 750e3 / 8,
  connectionType: "cellular3g",
};
const CPU_RATE = 4;

function usage(message) {
  console.error(`frontend.mjs: ${message}`);
  console.error("needs BASELINE_URL and CURRENT_URL (and BASELINE_OUTBOX / CURRENT_OUTBOX for /drive)");
  process.exit(2);
}

const servers = [
  { name: "baseline", url: env.BASELINE_URL, outbox: env.BASELINE_OUTBOX, token: env.BASELINE_TOKEN },
  { name: "current", url: env.CURRENT_URL, outbox: env.CURRENT_OUTBOX, token: env.CURRENT_TOKEN },
];
for (const s of servers) {
  if (!s.url) usage(`${s.name.toUpperCase()}_URL is not set`);
  s.url = s.url.replace(/\/+$/, "");
}

// ---------------------------------------------------------------------------------------------
// An account to measure /drive with: register, verify with the mailed code, log in with the
// password and a second mailed code. Without SMTP_URL the server writes each mail as an .eml
// file into DATA_DIR/outbox (lettre's file transport); the code is in the subject line
// ("CloudDrive: your login code is 123456").

async function api(server, route, body) {
  const response = await fetch(`${server.url}/api/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  if (!response.ok) {
    throw new Error(`${server.name}: POST /api/${route} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return json;
}

/** RFC 2047 encoded words (`=?utf-8?b?...?=`), should a subject ever come encoded. */
function decodeWords(value) {
  return value.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset, enc, text) => {
    if (enc.toUpperCase() === "B") return Buffer.from(text, "base64").toString("utf8");
    const bytes = text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_m, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  });
}

/** The headers of a mail file, folded lines joined, names lower-cased. */
function mailHeaders(raw) {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, " ");
  const headers = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return headers;
}

function outboxFiles(outbox) {
  try {
    return fs.readdirSync(outbox).filter((f) => f.endsWith(".eml"));
  } catch {
    return [];
  }
}

/** Waits for a mail to `email`, not among `seen`, whose subject mentions `kind`; its code. */
async function waitForCode(outbox, email, kind, seen) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const found = [];
    for (const file of outboxFiles(outbox)) {
      if (seen.has(file)) continue;
      const full = path.join(outbox, file);
      let raw;
      try {
        raw = fs.readFileSync(full, "utf8");
      } catch {
        continue; // being written, or unreadable: try again
      }
      const h = mailHeaders(raw);
      if (!(h.to ?? "").toLowerCase().includes(email.toLowerCase())) continue;
      const subject = h.subject ?? "";
      if (!subject.includes(kind)) continue;
      const code = subject.match(/code is (\d{6})\b/)?.[1] ?? subject.match(/\b(\d{6})\b/)?.[1];
      if (code) found.push({ mtime: fs.statSync(full).mtimeMs, code });
    }
    if (found.length) return found.sort((a, b) => b.mtime - a.mtime)[0].code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail with a ${kind} for ${email} in ${outbox} within 20 s`);
}

async function logIn(server) {
  if (server.token) return server.token;
  if (!server.outbox) return null;
  const email = `bench-${server.name}-${Date.now()}@example.com`;
  let seen = new Set(outboxFiles(server.outbox));
  await api(server, "auth/register", { email, password: PASSWORD, name: "Bench User" });
  const verification = await waitForCode(server.outbox, email, "verification code", seen);
  await api(server, "auth/verify-email", { email, code: verification, password: PASSWORD });
  seen = new Set(outboxFiles(server.outbox));
  const started = await api(server, "auth/login", { email, password: PASSWORD });
  if (started?.next !== "code") throw new Error(`${server.name}: login wants ${JSON.stringify(started)}, not an emailed code`);
  const login = await waitForCode(server.outbox, email, "login code", seen);
  const done = await api(server, "auth/login/verify", { email, code: login });
  if (!done?.token) throw new Error(`${server.name}: login/verify gave no token`);
  return done.token;
}

// ---------------------------------------------------------------------------------------------
// One visit: every response's transferred bytes from the DevTools protocol.

function classify(r) {
  let pathname = "";
  try {
    pathname = new URL(r.url).pathname;
  } catch {
    /* keep empty */
  }
  if (r.resourceType === "Document") return "document";
  if (pathname.startsWith("/api/")) return "api";
  if (r.mimeType === "application/wasm" || pathname.endsWith(".wasm")) return "wasm";
  if (r.resourceType === "Script" || /javascript|ecmascript/.test(r.mimeType ?? "") || /\.m?js$/.test(pathname)) return "script";
  if (r.resourceType === "Stylesheet" || r.mimeType === "text/css" || pathname.endsWith(".css")) return "css";
  return "other";
}

/** Throttling and byte counting on `page`, through a DevTools session of our own. */
async function instrument(context, page) {
  const cdp = await context.newCDPSession(page);
  const requests = new Map(); // requestId -> record
  const inflight = new Set();
  let lastActivity = Date.now();
  const touch = () => (lastActivity = Date.now());
  const record = (id) => {
    if (!requests.has(id)) requests.set(id, { id, url: "", bytes: 0, cached: false, finished: false });
    return requests.get(id);
  };
  cdp.on("Network.requestWillBeSent", (e) => {
    if (!/^https?:/.test(e.request.url)) return;
    const r = record(e.requestId);
    r.url = e.request.url;
    r.method = e.request.method;
    r.resourceType = e.type ?? r.resourceType;
    if (e.redirectResponse) {
      // The redirect's own answer, under the same id: count it as its own response.
      r.redirectBytes = (r.redirectBytes ?? 0) + (e.redirectResponse.encodedDataLength ?? 0);
    }
    inflight.add(e.requestId);
    touch();
  });
  cdp.on("Network.requestServedFromCache", (e) => {
    record(e.requestId).cached = true;
  });
  cdp.on("Network.responseReceived", (e) => {
    if (!requests.has(e.requestId)) return;
    const r = record(e.requestId);
    r.url = e.response.url || r.url;
    r.status = e.response.status;
    r.mimeType = e.response.mimeType;
    r.resourceType = e.type ?? r.resourceType;
    r.protocol = e.response.protocol;
    const h = Object.fromEntries(Object.entries(e.response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    r.contentEncoding = h["content-encoding"];
    r.cacheControl = h["cache-control"];
    if (e.response.fromDiskCache || e.response.fromPrefetchCache || e.response.fromServiceWorker) r.cached = true;
    touch();
  });
  cdp.on("Network.loadingFinished", (e) => {
    if (!requests.has(e.requestId)) return;
    const r = record(e.requestId);
    r.finished = true;
    r.bytes = (r.cached ? 0 : e.encodedDataLength ?? 0) + (r.redirectBytes ?? 0);
    inflight.delete(e.requestId);
    touch();
  });
  cdp.on("Network.loadingFailed", (e) => {
    if (!requests.has(e.requestId)) return;
    const r = record(e.requestId);
    r.failed = e.errorText || "failed";
    r.canceled = !!e.canceled;
    inflight.delete(e.requestId);
    touch();
  });
  await cdp.send("Network.enable");
  if (THROTTLE) {
    await cdp.send("Network.emulateNetworkConditions", NETWORK);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_RATE });
  }
  return {
    requests,
    /** Resolves once nothing has been in flight for QUIET_MS (at most SETTLE_CAP_MS). */
    async settle() {
      const cap = Date.now() + SETTLE_CAP_MS;
      while (Date.now() < cap) {
        if (inflight.size === 0 && Date.now() - lastActivity >= QUIET_MS) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    },
    detach: () => cdp.detach().catch(() => {}),
  };
}

/** In every document: the moment `<html data-hydrated="true">` appears, on the page's clock. */
function watchHydration() {
  const mark = () => {
    if (window.__benchHydratedAt === undefined && document.documentElement?.getAttribute("data-hydrated") === "true") {
      window.__benchHydratedAt = performance.now();
      return true;
    }
    return false;
  };
  // Before the parser has made `<html>`, so watch the whole document for the attribute.
  const observer = new MutationObserver(() => mark() && observer.disconnect());
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
}

function summarize(requests) {
  const by = { document: 0, script: 0, wasm: 0, css: 0, api: 0, other: 0 };
  const list = [];
  const perUrl = new Map();
  for (const r of requests.values()) {
    if (!r.url) continue;
    const kind = classify(r);
    by[kind] += r.bytes;
    if (r.bytes > 0) perUrl.set(r.url, (perUrl.get(r.url) ?? 0) + 1);
    list.push({
      url: r.url,
      kind,
      status: r.status ?? null,
      bytes: r.bytes,
      cached: r.cached,
      encoding: r.contentEncoding ?? null,
      cacheControl: r.cacheControl ?? null,
      failed: r.failed ?? null,
    });
  }
  const total = Object.values(by).reduce((a, b) => a + b, 0);
  const duplicates = [...perUrl].filter(([, n]) => n > 1).map(([url, n]) => ({ url, n }));
  return { by, total, jsWasm: by.script + by.wasm, excludingDocumentAndApi: total - by.document - by.api, requests: list, duplicates };
}

async function visit(context, url, consoleErrors) {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text().split("\n")[0].slice(0, 300));
  });
  page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${String(e.message ?? e).split("\n")[0].slice(0, 300)}`));
  const probe = await instrument(context, page);
  const wall = Date.now();
  let hydratedMs = null;
  let error = null;
  try {
    await page.goto(url, { waitUntil: "commit", timeout: HYDRATE_TIMEOUT_MS });
    const handle = await page.waitForFunction(
      () => {
        if (window.__benchHydratedAt !== undefined) return window.__benchHydratedAt;
        // A backstop should the observer have missed it: the poll's own time.
        if (document.documentElement?.getAttribute("data-hydrated") === "true") {
          window.__benchHydratedAt = performance.now();
          return window.__benchHydratedAt;
        }
        return undefined;
      },
      undefined,
      { timeout: Math.max(1000, HYDRATE_TIMEOUT_MS - (Date.now() - wall)), polling: 50 },
    );
    hydratedMs = await handle.jsonValue();
  } catch (e) {
    error = String(e.message ?? e).split("\n")[0];
  }
  const settled = await probe.settle();
  const timing = await page
    .evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0];
      return n ? { responseEnd: n.responseEnd, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd } : null;
    })
    .catch(() => null);
  await probe.detach();
  const summary = summarize(probe.requests);
  return { page, hydratedMs, error, settled, timing, wallMs: Date.now() - wall, ...summary };
}

const LAUNCH = {
  executablePath: env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  // The same flags as the tests (playwright.config.ts).
  args: JSON.parse(fs.readFileSync(new URL("../chromium-args.json", import.meta.url), "utf8")),
};

/**
 * One measurement: a browser with a new, empty profile directory. Not `browser.newContext()`:
 * such contexts are off the record, with an in-memory HTTP cache that refuses entries larger
 * than about 1.25 MB, so a big WASM file would download again on every visit, which no real
 * browser does. A profile on disk has the ordinary disk cache.
 */
async function measure(server, pagePath, token) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "clouddrive-bench-profile-"));
  const context = await chromium.launchPersistentContext(profile, { ...LAUNCH, serviceWorkers: "block" });
  try {
    await context.addInitScript(watchHydration);
    if (token) {
      // Before any of the app's scripts, in every document; the HTTP cache stays empty. The
      // app reads the token with gloo-storage, which keeps values as JSON: a quoted string.
      await context.addInitScript(
        ([key, value]) => {
          try {
            if (location.protocol.startsWith("http") && !localStorage.getItem(key)) localStorage.setItem(key, value);
          } catch {
            /* about:blank has no storage */
          }
        },
        [TOKEN_KEY, JSON.stringify(token)],
      );
    }
    for (const p of context.pages()) await p.close(); // the start page
    const url = server.url + pagePath;
    const errors = { first: [], repeat: [] };
    const first = await visit(context, url, errors.first);
    // The repeat visit: a new tab in the same profile (same HTTP cache), a plain navigation to
    // the address (not a reload, which would revalidate everything).
    await first.page.close();
    const repeat = await visit(context, url, errors.repeat);
    await repeat.page.close();
    delete first.page;
    delete repeat.page;
    const panics = [...errors.first, ...errors.repeat].filter((t) => t.includes("panicked at"));
    return { first, repeat, consoleErrors: errors, panics };
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

const median = (xs) => {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

const METRICS = [
  ["first JS+WASM", (r) => r.first.jsWasm, "bytes"],
  ["  first JS", (r) => r.first.by.script, "bytes"],
  ["  first WASM", (r) => r.first.by.wasm, "bytes"],
  ["first CSS", (r) => r.first.by.css, "bytes"],
  ["first document", (r) => r.first.by.document, "bytes"],
  ["first API", (r) => r.first.by.api, "bytes"],
  ["first other", (r) => r.first.by.other, "bytes"],
  ["first total", (r) => r.first.total, "bytes"],
  ["repeat excl. doc+API", (r) => r.repeat.excludingDocumentAndApi, "bytes"],
  ["repeat total", (r) => r.repeat.total, "bytes"],
  ["hydrated, first (ms)", (r) => r.first.hydratedMs, "ms"],
  ["hydrated, repeat (ms)", (r) => r.repeat.hydratedMs, "ms"],
];

function fmt(v, unit) {
  if (v === null || v === undefined) return "n/a";
  if (unit === "ms") return `${Math.round(v)} ms`;
  if (v < 10 * KB) return `${Math.round(v)} B`;
  return `${(v / KB).toFixed(1)} KB`;
}

const ratio = (c, b) => (typeof c === "number" && typeof b === "number" && b > 0 ? c / b : null);

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}
function padl(s, n) {
  s = String(s);
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}

async function main() {
  console.log(`Front-end benchmark: ${RUNS} run(s) per page and server, medians.`);
  console.log(
    THROTTLE
      ? `Profile: CPU ${CPU_RATE}x slower, network ${NETWORK.downloadThroughput * 8 / 1e6} Mbit/s down, ${NETWORK.uploadThroughput * 8 / 1e3} kbit/s up, ${NETWORK.latency} ms latency.`
      : "Profile: NO throttling (THROTTLE=0): hydration times are not the benchmark's.",
  );
  for (const s of servers) console.log(`  ${pad(s.name, 9)} ${s.url}`);

  for (const s of servers) {
    if (PAGES.some((p) => LOGGED_IN_PAGES.has(p))) {
      try {
        s.sessionToken = await logIn(s);
        if (!s.sessionToken) console.log(`  ${s.name}: no ${s.name.toUpperCase()}_OUTBOX or _TOKEN: logged-in pages skipped`);
        else console.log(`  ${s.name}: logged in a bench account for ${[...LOGGED_IN_PAGES].join(", ")}`);
      } catch (e) {
        console.log(`  ${s.name}: could not log in (${e.message}): logged-in pages skipped`);
      }
    }
  }

  const results = {};
  for (const p of PAGES) results[p] = { baseline: [], current: [] };
  for (let run = 1; run <= RUNS; run++) {
    for (const p of PAGES) {
      for (const s of servers) {
        const needsLogin = LOGGED_IN_PAGES.has(p);
        if (needsLogin && !s.sessionToken) continue;
        const started = Date.now();
        let r;
        try {
          r = await measure(s, p, needsLogin ? s.sessionToken : null);
        } catch (e) {
          r = { failed: String(e.message ?? e) };
        }
        results[p][s.name].push(r);
        if (r.failed) {
          console.log(`  run ${run} ${pad(s.name, 8)} ${pad(p, 40)} FAILED: ${r.failed}`);
          continue;
        }
        const notes = [r.first.error && `first: ${r.first.error}`, r.repeat.error && `repeat: ${r.repeat.error}`, r.panics.length && `${r.panics.length} panic(s)`]
          .filter(Boolean)
          .join("; ");
        console.log(
          `  run ${run} ${pad(s.name, 8)} ${pad(p, 40)} first ${padl(fmt(r.first.total, "bytes"), 9)}, hydrated ${padl(fmt(r.first.hydratedMs, "ms"), 8)}; repeat ${padl(fmt(r.repeat.excludingDocumentAndApi, "bytes"), 8)} (+doc/API ${fmt(r.repeat.total - r.repeat.excludingDocumentAndApi, "bytes")}), hydrated ${padl(fmt(r.repeat.hydratedMs, "ms"), 8)}  [${((Date.now() - started) / 1000).toFixed(0)} s]${notes ? "  !! " + notes : ""}`,
        );
        if (VERBOSE) {
          for (const [label, v] of [["first", r.first], ["repeat", r.repeat]]) {
            for (const q of v.requests) {
              console.log(`      ${label} ${padl(q.bytes, 8)} ${pad(q.kind, 8)} ${q.status ?? "-"} ${q.cached ? "cache" : "net  "} ${q.encoding ?? "-"} ${q.url}`);
            }
          }
        }
      }
    }
  }

  // Medians and the table.
  const report = { throttled: THROTTLE, profile: THROTTLE ? { cpuRate: CPU_RATE, network: NETWORK } : null, kb: KB, runs: RUNS, servers: servers.map(({ name, url }) => ({ name, url })), pages: {}, goals: [] };
  for (const p of PAGES) {
    const entry = { baseline: {}, current: {} };
    for (const s of servers) {
      const ok = results[p][s.name].filter((r) => !r.failed);
      const m = {};
      for (const [label, get] of METRICS) m[label.trim()] = median(ok.map(get));
      const last = ok[ok.length - 1];
      entry[s.name] = {
        runs: ok.length,
        failedRuns: results[p][s.name].length - ok.length,
        median: m,
        panics: ok.flatMap((r) => r.panics),
        hydrationErrors: ok.flatMap((r) => [r.first.error, r.repeat.error].filter(Boolean)),
        // The requests of the last run, for reading what was sent and what came from cache.
        lastRun: last ? { first: last.first.requests, repeat: last.repeat.requests, duplicates: { first: last.first.duplicates, repeat: last.repeat.duplicates }, timing: { first: last.first.timing, repeat: last.repeat.timing } } : null,
        all: ok.map((r) => ({
          first: { by: r.first.by, total: r.first.total, hydratedMs: r.first.hydratedMs, error: r.first.error },
          repeat: { by: r.repeat.by, total: r.repeat.total, excludingDocumentAndApi: r.repeat.excludingDocumentAndApi, hydratedMs: r.repeat.hydratedMs, error: r.repeat.error },
        })),
      };
    }
    report.pages[p] = entry;

    console.log(`\n${p}`);
    console.log(`  ${pad("", 24)}${padl("baseline", 12)}${padl("current", 12)}${padl("cur/base", 10)}`);
    for (const [label, , unit] of METRICS) {
      const b = entry.baseline.median?.[label.trim()];
      const c = entry.current.median?.[label.trim()];
      const r = ratio(c, b);
      console.log(`  ${pad(label, 24)}${padl(fmt(b, unit), 12)}${padl(fmt(c, unit), 12)}${padl(r === null ? "" : r.toFixed(2), 10)}`);
    }
    for (const s of servers) {
      const e = entry[s.name];
      if (e.failedRuns) console.log(`  !! ${s.name}: ${e.failedRuns} run(s) failed`);
      if (e.hydrationErrors.length) console.log(`  !! ${s.name}: not hydrated: ${e.hydrationErrors[0]}`);
      if (e.panics.length) console.log(`  !! ${s.name}: panics in the browser: ${e.panics[0]}`);
      const dups = e.lastRun?.duplicates.first ?? [];
      if (dups.length) console.log(`  note ${s.name}: downloaded more than once on the first visit: ${dups.map((d) => `${new URL(d.url).pathname} x${d.n}`).join(", ")}`);
      const reval = (e.lastRun?.repeat ?? []).filter((q) => q.bytes > 0 && q.kind !== "document" && q.kind !== "api");
      if (reval.length)
        console.log(
          `  note ${s.name}: the repeat visit downloaded ${reval.map((q) => `${new URL(q.url).pathname} (${q.status}, ${q.bytes} B, cache-control: ${q.cacheControl ?? "none"})`).join(", ")}`,
        );
    }
  }

  // Goals.
  console.log("\nGoals (current build)");
  const goal = (name, value, pass, detail) => {
    report.goals.push({ name, value, pass });
    console.log(`  ${pass === null ? "N/A " : pass ? "PASS" : "FAIL"}  ${name}: ${detail}`);
  };
  for (const p of PUBLIC_PAGES.filter((x) => PAGES.includes(x))) {
    const v = report.pages[p].current.median["first JS+WASM"];
    goal(`first visit JS+WASM <= 250 KB on ${p}`, v, v === null ? null : v <= 250 * KB, fmt(v, "bytes"));
  }
  for (const p of PAGES) {
    const v = report.pages[p].current.median["repeat excl. doc+API"];
    goal(`repeat visit < 10 KB (excl. document and API) on ${p}`, v, v === null ? null : v < 10 * KB, fmt(v, "bytes"));
  }
  if (PAGES.includes("/skillshare")) {
    const b = report.pages["/skillshare"].baseline.median["hydrated, first (ms)"];
    const c = report.pages["/skillshare"].current.median["hydrated, first (ms)"];
    const r = ratio(c, b);
    const profile = THROTTLE ? "" : " (unthrottled: not the goal's profile)";
    goal(
      `time to hydrated on /skillshare <= 0.5 x baseline${profile}`,
      r,
      r === null ? null : r <= 0.5,
      `${fmt(c, "ms")} vs ${fmt(b, "ms")}, ratio ${r === null ? "n/a" : r.toFixed(2)}`,
    );
  }

  if (env.OUT_JSON) {
    fs.mkdirSync(path.dirname(path.resolve(env.OUT_JSON)), { recursive: true });
    fs.writeFileSync(env.OUT_JSON, JSON.stringify(report, null, 2));
    console.log(`\nEvery figure: ${env.OUT_JSON}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`frontend benchmark failed: ${e.stack ?? e}`);
    // A benchmark, not a test; but a broken harness should not look like a result.
    process.exit(1);
  },
);
