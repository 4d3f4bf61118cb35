import { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { hydrated, logIn, registerAndVerify } from "./flows";
import { seenMail } from "./mail";
import { MAIL_API } from "../playwright.config";

const COURSE = "Guitar: first chords and strumming";

/** The first offered slot at least two days ahead (so it can still be cancelled for free). */
async function slotTwoDaysAhead(page: Page) {
  const starts = await page
    .locator("button.slot")
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-start"))));
  const start = starts.find((s) => s > Date.now() / 1000 + 2 * 86400);
  expect(start, "a free slot two days ahead").toBeTruthy();
  return String(start);
}

test("browse, book logged out, log in, confirm, get the email, see history, cancel, slot free again", async ({ page }) => {
  const email = await registerAndVerify(page, "Booking Student");

  // Browse teachers.
  await page.goto("/skillshare");
  await hydrated(page);
  await expect(page.getByTestId("teacher")).toHaveCount(8);
  await expect(page.getByRole("heading", { name: "Diego Álvarez" })).toBeVisible();

  // Filter courses by skill.
  await page.getByRole("link", { name: "Courses", exact: true }).click();
  await page.getByLabel("Skill", { exact: true }).selectOption("Guitar");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/skill=Guitar/);
  const cards = page.getByTestId("course");
  await expect(cards).toHaveCount(2);
  for (const card of await cards.all()) await expect(card).toContainText("Guitar");

  // Start booking while logged out: the chosen slot survives the trip through login.
  await cards.filter({ hasText: COURSE }).getByRole("link", { name: "Book" }).click();
  await expect(page.getByRole("heading", { name: COURSE })).toBeVisible();
  await hydrated(page);
  const start = await slotTwoDaysAhead(page);
  await page.locator(`button.slot[data-start="${start}"]`).click();
  await expect(page).toHaveURL(new RegExp(`start=${start}`));
  await page.getByRole("button", { name: "Log in to book" }).click();
  await expect(page).toHaveURL(/\/login\?next=/);
  await logIn(page, email);

  await expect(page).toHaveURL(new RegExp(`/skillshare/book/c-guitar-first-chords\\?start=${start}`));
  await expect(page.locator(`button.slot[data-start="${start}"]`)).toHaveAttribute("aria-pressed", "true");
  const seen = await seenMail(page.request, email);
  await page.getByRole("button", { name: "Confirm booking" }).click();
  await expect(page.getByTestId("booked")).toContainText("Booked!");

  // The confirmation email arrives through SMTP.
  await expect
    .poll(async () => {
      const mails = (await (await page.request.get(`${MAIL_API}/api/email`)).json()) as {
        id: string; subject: string; to: { address: string }[];
      }[];
      return mails.filter((m) => !seen.has(m.id) && m.to.some((t) => t.address === email)).map((m) => m.subject);
    })
    .toContainEqual(expect.stringContaining(`booked "${COURSE}"`));

  // It is in the history; cancel it.
  await page.getByRole("link", { name: "See my bookings" }).click();
  const upcoming = page.getByTestId("bookings").first();
  await expect(upcoming).toContainText(COURSE);
  await upcoming.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("status")).toContainText("The time is free again");
  await expect(page.getByTestId("bookings").last()).toContainText("Cancelled");

  // The slot is offered again.
  await page.goto("/skillshare/book/c-guitar-first-chords");
  await expect(page.locator(`button.slot[data-start="${start}"]`)).toBeVisible();
});

test("the catalogue's first response holds the teacher names, before any script", async ({ browser, request }) => {
  const html = await (await request.get("/skillshare")).text();
  for (const name of ["Maya Chen", "Lucas Moreau", "Aiko Tanaka", "Priya Nair"]) expect(html).toContain(name);

  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const page = await noScript.newPage();
  await page.goto("/skillshare/courses?skill=Yoga");
  await expect(page.getByTestId("course")).toHaveCount(2);
  await expect(page.getByTestId("course").first()).toContainText("Yoga");
  await noScript.close();
});

test("each catalogue page hydrates from the data the server put in it, asking the API nothing", async ({ browser, request }) => {
  // The addresses of a teacher's page and a booking page, from the server-rendered catalogue.
  const teachers = await (await request.get("/skillshare")).text();
  const teacher = teachers.match(/href="(\/skillshare\/teachers\/[^"]+)"/)?.[1];
  const courses = await (await request.get("/skillshare/courses?skill=Guitar")).text();
  const booking = courses.match(/href="(\/skillshare\/book\/[^"]+)"/)?.[1];
  expect(teacher, "a teacher's address").toBeTruthy();
  expect(booking, "a booking address").toBeTruthy();

  for (const path of ["/skillshare", "/skillshare/courses?skill=Guitar", teacher!, booking!]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const asked: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/")) asked.push(r.url());
    });
    await page.goto(path);
    await hydrated(page);
    // Data the browser could not read would be fetched again once hydrated.
    await page.waitForTimeout(500);
    expect(asked, `API calls while hydrating ${path}`).toEqual([]);
    await context.close();
  }
});
