import { test, expect } from "./fixtures";
import { hydrated, logIn, PASSWORD, registerAndVerify } from "./flows";
import { seenMail, waitForCode } from "./mail";
import { totp } from "./totp";

const NEW_PASSWORD = "a-whole-new-passphrase-31";

test("forgot password, reset with the emailed code, log in with the new password", async ({ page }) => {
  const email = await registerAndVerify(page, "Forgetful Fred");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot/);
  await hydrated(page);
  const seen = await seenMail(page.request, email);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a code" }).click();
  await expect(page).toHaveURL(/\/reset\?sent=1/);
  await expect(page.getByRole("status")).toContainText("If this address has an account");
  const code = await waitForCode(page.request, email, "password reset code", seen);
  await page.getByLabel("Reset code").fill(code);
  await page.getByLabel("New password").fill("password1");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toContainText("too easy to guess");
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1/);
  await expect(page.getByRole("status")).toContainText("Your password was changed");

  // The old password no longer works; the new one does, with a login code.
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("Email or password is incorrect");
  await logIn(page, email, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/drive$/);
});

test("switch to an authenticator app, then log in with it and with a recovery code", async ({ page }) => {
  const email = await registerAndVerify(page, "Tess Totp");
  await logIn(page, email);
  await expect(page).toHaveURL(/\/drive$/);
  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByTestId("second-factor")).toContainText("a code we email you");

  await page.getByRole("button", { name: "Use an authenticator app instead" }).click();
  await expect(page.locator(".qr svg")).toBeVisible();
  const secret = (await page.getByTestId("app-secret").textContent())!.trim();
  const seen = await seenMail(page.request, email);
  await page.getByRole("button", { name: "Email me a confirmation code" }).click();
  const emailed = await waitForCode(page.request, email, "confirmation code", seen);
  const form = page.getByTestId("enable-app");
  await form.getByLabel("Your password").fill(PASSWORD);
  await form.getByLabel("Code from the email").fill(emailed);
  await form.getByLabel("Code from the app").fill(totp(secret));
  await form.getByRole("button", { name: "Switch to the app" }).click();
  const codes = page.getByTestId("recovery-codes").locator("li");
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().textContent())!.trim();
  await expect(page.getByTestId("second-factor")).toContainText("authenticator app");

  // Log out, then in with the app: no email code is asked for.
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Continue" }).click();
  const field = page.getByLabel("Authenticator app code or recovery code");
  // The step after the one used at set-up, as an app running a little fast would show.
  await field.fill(totp(secret, 1));
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page).toHaveURL(/\/drive$/);

  // And with a recovery code, which then no longer works.
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  for (const expectation of ["works", "used up"]) {
    await page.goto("/login");
    await hydrated(page);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByLabel("Authenticator app code or recovery code").fill(recovery);
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    if (expectation === "works") {
      await expect(page).toHaveURL(/\/drive$/);
      await page.getByRole("button", { name: "Log out", exact: true }).click();
    } else {
      await expect(page.getByRole("alert")).toContainText("That code is not right");
    }
  }
});

test("no page reports a Content-Security-Policy violation", async ({ page }) => {
  const email = await registerAndVerify(page, "Page Visitor");
  const publicPages = [
    "/",
    "/register",
    "/verify",
    "/login",
    "/forgot",
    "/reset",
    "/skillshare",
    "/skillshare/courses",
    "/skillshare/teachers/t-diego-alvarez",
    "/skillshare/book/c-guitar-first-chords",
    "/nodes",
    "/no/such/page",
  ];
  for (const path of publicPages) {
    await page.goto(path);
    await hydrated(page);
  }
  await page.goto("/login");
  await logIn(page, email);
  await expect(page).toHaveURL(/\/drive$/);
  for (const path of ["/drive", "/drive/trash", "/account", "/skillshare/bookings", "/skillshare/teach"]) {
    await page.goto(path);
    await hydrated(page);
    await expect(page.getByText("Loading…")).toHaveCount(0);
  }
  // The fixture checks the console of every page above once the test ends.
});
