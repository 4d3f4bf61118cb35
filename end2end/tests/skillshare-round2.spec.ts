import { spawn, ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { APIRequestContext, Locator } from "@playwright/test";
import { test, expect } from "./fixtures";
import { hydrated, logIn, registerAndVerify } from "./flows";
import { seenMail } from "./mail";
import config, { APP_PORT, MAIL_API } from "../playwright.config";

const COURSE = "Guitar: first chords and strumming";
const COURSE_ID = "c-guitar-first-chords";
const TEACHER = "Diego Álvarez";
const REVIEW = "Patient, clear, and my G chord finally rings.";
const DAY = 86_400;

// This spec moves the server's clock a month ahead, which would expire the codes, links and
// sessions of every spec after it: it gets an app server of its own (the same binary and
// settings, its own data directory and port, DEBUG_CLOCK=1), sending mail to the same maildev.
const PORT = Number(process.env.E2E_CLOCK_APP_PORT ?? APP_PORT + 1);
const ORIGIN = `http://127.0.0.1:${PORT}`;
test.use({ baseURL: ORIGIN, timezoneId: "UTC" });

let server: ChildProcess | undefined;

test.beforeAll(async () => {
  const app = [config.webServer].flat().find((w) => w?.env?.DATA_DIR);
  if (!app) throw new Error("playwright.config.ts starts no app server to copy");
  let log = "";
  server = spawn(app.command, [], {
    cwd: app.cwd,
    env: {
      ...process.env,
      ...app.env,
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "clouddrive-e2e-clock-")),
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      PUBLIC_URL: ORIGIN,
      DEBUG_CLOCK: "1",
      // The student's session, made before the jump, must outlive it.
      SESSION_IDLE_TIMEOUT_SECS: String(90 * DAY),
      SESSION_MAX_AGE_SECS: String(90 * DAY),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000));
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);
  for (const deadline = Date.now() + 60_000; ; ) {
    if (server.exitCode !== null) throw new Error(`the app server exited:\n${log}`);
    if (await fetch(`${ORIGIN}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`the app server did not answer in time:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

test.afterAll(() => {
  server?.kill();
});

/** Starts offered in `scope` (data-start), as numbers. */
async function offered(scope: Locator): Promise<number[]> {
  await expect(scope.locator("button.slot").first()).toBeVisible();
  return scope
    .locator("button.slot")
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-start"))));
}

/** How `<time datetime>` writes a moment (the app's `format::iso`). */
const iso = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 16) + ":00Z";

/** An iCalendar property's value, read after unfolding (RFC 5545 folds long lines). */
function property(ics: string, name: string): string | undefined {
  const unfolded = ics.replace(/\r?\n[ \t]/g, "");
  return unfolded.match(new RegExp(`^${name}(?:;[^:\\r\\n]*)?:(.*?)\\r?$`, "m"))?.[1];
}

type Mail = {
  id: string;
  subject: string;
  to: { address: string }[];
  attachments?: { filename: string; generatedFileName: string; contentType: string }[];
};

/** Waits for a new mail to `address` with an `invite.ics`; answers the calendar's text. */
async function newInvite(request: APIRequestContext, address: string, seen: Set<string>): Promise<string> {
  const find = async () => {
    const all = (await (await request.get(`${MAIL_API}/api/email`)).json()) as Mail[];
    return all.find(
      (m) =>
        !seen.has(m.id) &&
        m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()) &&
        m.attachments?.some((a) => a.filename === "invite.ics"),
    );
  };
  await expect
    .poll(async () => (await find())?.id, { timeout: 20_000, message: `a mail with invite.ics for ${address}` })
    .toBeTruthy();
  const mail = (await find())!;
  const file = mail.attachments!.find((a) => a.filename === "invite.ics")!;
  expect(file.contentType).toContain("text/calendar");
  // maildev serves attachments under the name it stored them by.
  const res = await request.get(`${MAIL_API}/api/email/${mail.id}/attachment/${file.generatedFileName}`);
  expect(res.ok()).toBeTruthy();
  return res.text();
}

test("a student moves a booking with an updated invite, then reviews it once the server's clock has passed it", async ({ page }) => {
  const email = await registerAndVerify(page, "Rosa Student");
  await page.goto(`/login?next=${encodeURIComponent(`/skillshare/book/${COURSE_ID}`)}`);
  await logIn(page, email);
  await expect(page.getByRole("heading", { name: COURSE })).toBeVisible();
  await hydrated(page);

  // Book a time two days ahead: more than the 24 h a move needs.
  const first = (await offered(page.locator("body"))).find((s) => s > Date.now() / 1000 + 2 * DAY);
  expect(first, "a free slot two days ahead").toBeTruthy();
  await page.locator(`button.slot[data-start="${first}"]`).click();
  let seen = await seenMail(page.request, email);
  await page.getByRole("button", { name: "Confirm booking" }).click();
  await expect(page.getByTestId("booked")).toContainText("Booked!");
  const booked = await newInvite(page.request, email, seen);
  expect(booked).toContain("BEGIN:VCALENDAR");
  expect(property(booked, "METHOD")).toBe("REQUEST");
  expect(property(booked, "SEQUENCE")).toBe("0");
  const uid = property(booked, "UID");
  expect(uid, "the invite's UID").toBeTruthy();

  // Move it from My bookings to another free time.
  await page.getByRole("link", { name: "See my bookings" }).click();
  const row = page.getByTestId("booking").filter({ hasText: COURSE });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: "Reschedule" }).click();
  const picker = row.getByTestId("reschedule");
  const second = (await offered(picker)).find((s) => s > Date.now() / 1000 + 2 * DAY && s !== first);
  expect(second, "another free slot two days ahead").toBeTruthy();
  await picker.locator(`button.slot[data-start="${second}"]`).click();
  seen = await seenMail(page.request, email);
  await picker.getByRole("button", { name: "Confirm new time" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Moved "${COURSE}"` })).toBeVisible();
  await expect(row.locator(`.booking-line time[datetime="${iso(second!)}"]`)).toBeVisible();
  await expect(row.getByTestId("moved-from")).toContainText("Moved from");
  await expect(row.getByTestId("moved-from").locator(`time[datetime="${iso(first!)}"]`)).toBeVisible();

  // The same event, updated: calendar apps replace it rather than add a second one.
  const moved = await newInvite(page.request, email, seen);
  expect(moved).toContain("BEGIN:VCALENDAR");
  expect(property(moved, "METHOD")).toBe("REQUEST");
  expect(property(moved, "UID")).toBe(uid);
  expect(property(moved, "SEQUENCE")).toBe("1");

  // The private calendar feed has the session too; a revoked address is gone for good.
  const feedPath = (url: string) => {
    const u = new URL(url);
    return u.pathname + u.search;
  };
  await page.getByRole("button", { name: "Show my calendar feed address" }).click();
  const address = page.getByTestId("calendar-feed-url");
  await expect(address).toHaveValue(/^https?:\/\//);
  const oldUrl = await address.inputValue();
  const feed = await page.request.get(feedPath(oldUrl));
  expect(feed.status()).toBe(200);
  const feedText = await feed.text();
  expect(feedText).toContain("BEGIN:VCALENDAR");
  expect(feedText.replace(/\r?\n[ \t]/g, "")).toContain(`UID:${uid}`);
  await page.getByRole("button", { name: "Revoke and make a new address" }).click();
  await expect(address).not.toHaveValue(oldUrl);
  expect((await page.request.get(feedPath(oldUrl))).status()).toBe(404);
  expect((await page.request.get(feedPath(await address.inputValue()))).status()).toBe(200);

  // A month later by the server's clock the session is over (the browser's clock stays).
  const jump = await page.request.post("/api/debug/clock/advance", { data: { secs: 30 * DAY } });
  expect(jump.ok(), "the debug clock answers (DEBUG_CLOCK=1, debug build)").toBeTruthy();

  await row.getByRole("button", { name: "Review this session" }).click();
  const form = row.getByTestId("review-form");
  await form.getByLabel("5 stars").check();
  await form.getByLabel("Your review (optional)").fill(REVIEW);
  await form.getByRole("button", { name: "Post review" }).click();
  await expect(page.getByRole("status").filter({ hasText: "review is posted" })).toBeVisible();
  await expect(row.getByTestId("review")).toContainText(REVIEW);
  await expect(row.getByRole("img", { name: "5 out of 5 stars" })).toBeVisible();
  await expect(row.getByRole("button", { name: "Edit review" })).toBeVisible();
  await expect(row.getByRole("button", { name: "Review this session" })).toHaveCount(0);

  // Best rated first: the only teacher with a review, with the rating on the card.
  await page.goto("/skillshare");
  await hydrated(page);
  await page.getByLabel("Sort by").selectOption("rating");
  await expect(page).toHaveURL(/sort=rating/);
  const top = page.getByTestId("teacher").first();
  await expect(top).toContainText(TEACHER);
  await expect(top.getByTestId("teacher-rating")).toContainText("5.0 (1)");

  // The teacher's public page: average, histogram, and the review itself.
  await top.getByRole("link", { name: TEACHER }).click();
  await expect(page.getByRole("heading", { name: TEACHER, level: 1 })).toBeVisible();
  await expect(page.getByTestId("rating")).toContainText("5.0");
  await expect(page.getByTestId("rating")).toContainText("(1 review)");
  const bars = page.getByTestId("histogram").getByRole("listitem");
  await expect(bars).toHaveText(["5 stars: 1", "4 stars: 0", "3 stars: 0", "2 stars: 0", "1 star: 0"]);
  const latest = page.getByTestId("reviews").getByTestId("review").first();
  await expect(latest).toContainText(REVIEW);
  await expect(latest).toContainText(COURSE);
  await expect(latest).toContainText("Rosa");
  await expect(latest.getByRole("img", { name: "5 out of 5 stars" })).toBeVisible();
});

test("a teacher marks dates off, cancels the booking inside with a reason, and the student sees why", async ({ page, browser }) => {
  // Runs on this spec's server, after the clock jump above: every time here is relative to
  // the server's clock, through the slots it offers. Both browsers read times in UTC.
  const teacherEmail = await registerAndVerify(page, "Tara Teacher");
  await page.goto(`/login?next=${encodeURIComponent("/skillshare/teach")}`);
  await logIn(page, teacherEmail);
  await expect(page.getByRole("heading", { name: "Create your teacher profile" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Display name").fill("Tara Teach");
  await page.getByLabel("About you").fill("Endgames, patiently.");
  await page.getByLabel("Specialties (comma separated)").fill("Chess");
  await page.getByLabel("Hourly rate ($)").fill("30");
  await page.getByLabel("Time zone").fill("UTC");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("heading", { name: "Weekly availability" })).toBeVisible();
  // The course before the week: saving either redraws the page, forms included, so a form
  // filled while the other's save is under way would lose what was typed.
  await page.getByLabel("Title").fill("Rook endgames");
  await page.getByLabel("Description", { exact: true }).fill("Lucena, Philidor, and why.");
  await page.getByLabel("Skill", { exact: true }).fill("Chess");
  await page.getByLabel("Duration (minutes)").fill("60");
  await page.getByLabel("Price ($)").fill("30");
  await page.getByRole("button", { name: "Publish course" }).click();
  const courseLink = page.getByRole("link", { name: "Rook endgames" });
  await expect(courseLink).toBeVisible();
  for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]) {
    await page.getByLabel(day).fill("08:00-20:00");
  }
  const weekSaved = page.waitForResponse((r) => r.url().endsWith("/api/skillshare/teaching/availability") && r.ok());
  await page.getByRole("button", { name: "Save availability" }).click();
  await weekSaved;
  const bookPath = (await courseLink.getAttribute("href"))!;

  // A student books the first free time.
  const student = await browser.newContext({ baseURL: ORIGIN, timezoneId: "UTC" });
  const studentPage = await student.newPage();
  const studentEmail = await registerAndVerify(studentPage, "Sam Student");
  await studentPage.goto(`/login?next=${encodeURIComponent(bookPath)}`);
  await logIn(studentPage, studentEmail);
  await expect(studentPage.getByRole("heading", { name: "Rook endgames" })).toBeVisible();
  await hydrated(studentPage);
  const start = (await offered(studentPage.locator("body")))[0];
  await studentPage.locator(`button.slot[data-start="${start}"]`).click();
  await studentPage.getByRole("button", { name: "Confirm booking" }).click();
  await expect(studentPage.getByTestId("booked")).toContainText("Booked!");

  // The teacher is away around it: the range lists the booking, and cancelling it (with a
  // reason) frees nothing anyone could book, since the range blocks the time.
  const local = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 16);
  await page.reload();
  await hydrated(page);
  const away = page.getByTestId("unavailable-dates");
  await away.getByLabel("From").fill(local(start - 3600));
  await away.getByLabel("To").fill(local(start + 2 * 3600));
  await away.getByRole("button", { name: "Mark unavailable" }).click();
  const range = away.getByTestId("unavailable-range");
  await expect(range).toHaveCount(1);
  await expect(range).toContainText("1 booking inside this range");
  await expect(range.getByTestId("booking")).toContainText("Sam Student");
  const seen = await seenMail(page.request, studentEmail);
  await range.getByRole("button", { name: /^Cancel…/ }).click();
  await range.getByLabel("Reason (sent to the student)").fill("Tournament abroad");
  await range.getByRole("button", { name: "Cancel booking" }).click();
  await expect(range).not.toContainText("inside this range");
  await expect(
    page.getByTestId("teaching-bookings").getByTestId("booking-status"),
  ).toHaveText("Cancelled by you: Tournament abroad");

  // The student reads why, gets the calendar's cancellation, and cannot book the time again.
  const cancelled = await newInvite(page.request, studentEmail, seen);
  expect(property(cancelled, "METHOD")).toBe("CANCEL");
  expect(property(cancelled, "STATUS")).toBe("CANCELLED");
  expect(property(cancelled, "SEQUENCE")).toBe("1");
  await studentPage.goto("/skillshare/bookings");
  await expect(studentPage.getByTestId("booking-status")).toHaveText(
    "Cancelled by the teacher: Tournament abroad",
  );
  await studentPage.goto(bookPath);
  await hydrated(studentPage);
  const now = await offered(studentPage.locator("body"));
  expect(now).not.toContain(start);
  await student.close();
});
