import { Page, expect } from "@playwright/test";
import { seenMail, uniqueEmail, waitForCode } from "./mail";

export const PASSWORD = "tangerine-orbit-saddle-42";

/** Waits until the browser has hydrated the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
}

/** Signs up through the UI and verifies the email with the code from the mail server. */
export async function registerAndVerify(page: Page, name: string, email = uniqueEmail("user")) {
  const seen = await seenMail(page.request, email);
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/verify\?email=/);
  const code = await waitForCode(page.request, email, "verification code", seen);
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Verify email" }).click();
  await expect(page).toHaveURL(/\/login\?verified=1/);
  return email;
}

/** On the login page: password, then the emailed code. */
export async function logIn(page: Page, email: string, password = PASSWORD) {
  await hydrated(page);
  const seen = await seenMail(page.request, email);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Continue" }).click();
  const code = await waitForCode(page.request, email, "login code", seen);
  await page.getByLabel("Login code").fill(code);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
}
