import { test, expect } from "./fixtures";
import { hydrated, logIn, registerAndVerify } from "./flows";

test("register, verify, log in with the emailed code, stay logged in, log out", async ({ page }) => {
  const email = await registerAndVerify(page, "Ada Lovelace");

  // The verified email is carried to the login page.
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await logIn(page, email);

  // Logging in opens the drive.
  await expect(page).toHaveURL(/\/drive$/);
  await expect(page.getByTestId("nav-name")).toHaveText("Ada Lovelace");
  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByTestId("account-name")).toHaveText("Ada Lovelace");

  // The token lives in localStorage: a reload keeps the session.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("nav-name")).toHaveText("Ada Lovelace");

  // The sessions page lists this session.
  const rows = page.getByTestId("sessions").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("this browser");
  await expect(rows.first()).toContainText("Chrome");

  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem("clouddrive.token"))).toBeNull();

  // A private page now sends you to login, and back to it afterwards.
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount/);
  await logIn(page, email);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText("Ada Lovelace");
});

test("a revoked session is sent to login on its next call", async ({ page, browser }) => {
  const email = await registerAndVerify(page, "Grace Hopper");
  await logIn(page, email);
  await expect(page).toHaveURL(/\/drive$/);

  // A second browser logs in, then revokes every other session.
  const other = await browser.newPage();
  await other.goto("/login?next=%2Faccount");
  await logIn(other, email);
  await expect(other).toHaveURL(/\/account$/);
  await expect(other.getByTestId("sessions").locator("tbody tr")).toHaveCount(2);
  await other.getByRole("button", { name: "Log out all other sessions" }).click();
  await expect(other.getByTestId("sessions").locator("tbody tr")).toHaveCount(1);

  // The first browser's token is now dead: its next call gets 401 and it lands on login.
  await page.reload();
  await expect(page).toHaveURL(/\/login\?next=%2Fdrive/);
  expect(await page.evaluate(() => localStorage.getItem("clouddrive.token"))).toBeNull();
  await other.close();
});

test("the first response is server-rendered HTML, then the page hydrates", async ({ page, request, browser }) => {
  const html = await (await request.get("/")).text();
  expect(html).toContain("Your files, kept in three regions at once.");
  expect(html).toMatch(/\/pkg\/clouddrive\.[\w-]{22}\.js/);

  // Without any script the content is still there.
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const bare = await noScript.newPage();
  await bare.goto("/");
  await expect(bare.getByRole("heading", { level: 1 })).toHaveText("Your files, kept in three regions at once.");
  await expect(bare.locator("html")).not.toHaveAttribute("data-hydrated", "true");
  await noScript.close();

  // With scripts, the browser takes over the same page.
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
});

test("a weak password is refused with a reason", async ({ page }) => {
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Name").fill("Weak");
  await page.getByLabel("Email").fill(`weak-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("password1");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toContainText("too easy to guess");
  await expect(page).toHaveURL(/\/register$/);
});

test("after logging in, a next address off the site is ignored", async ({ page }) => {
  const email = await registerAndVerify(page, "Careful User");
  // Resolved by the browser's own URL parser: another host, however spelt, is not followed.
  for (const next of ["//evil.example/steal", "/\\evil.example"]) {
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await logIn(page, email);
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/drive$/);
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    // Logging out lands on home, whose own "Log in" link sits beside the bar's.
    await expect(page.getByTestId("nav-user").getByRole("link", { name: "Log in" })).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem("clouddrive.token"))).toBeNull();
  }
  // And one on the site is.
  await page.goto(`/login?next=${encodeURIComponent("/account")}`);
  await logIn(page, email);
  await expect(page).toHaveURL(/\/account$/);
});
