import { test, expect } from "./fixtures";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { hydrated, logIn, PASSWORD, registerAndVerify } from "./flows";
import { row } from "./drive";

/** Runs rclone against the app's WebDAV endpoint with an on-the-fly remote (no config file),
 * as a user would with the address, their email and a password. rclone does not retry a 401,
 * so each refused call adds one failure to the server's throttle (5 are free). */
function rclone(baseURL: string, email: string, password: string, ...args: string[]) {
  const obscured = execFileSync("rclone", ["obscure", password], { encoding: "utf8" }).trim();
  return spawnSync(
    "rclone",
    [
      "--config", "/dev/null",
      ...args,
      "--webdav-url", `${baseURL}/dav/`,
      "--webdav-vendor", "other",
      "--webdav-user", email,
      "--webdav-pass", obscured,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
}

test("an app password lets rclone copy into the drive; the account password does not; revoking it locks rclone out", async ({ page, baseURL }) => {
  const email = await registerAndVerify(page, "Rclone User");
  await page.goto("/login?next=%2Faccount");
  await logIn(page, email);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("dav-address")).toHaveText(`${baseURL}/dav/`);

  const form = page.getByTestId("create-app-password");
  await form.getByLabel("Device name").fill("rclone laptop");
  await form.getByLabel("Account password").fill(PASSWORD);
  await form.getByRole("button", { name: "Create app password" }).click();
  const shown = page.getByTestId("new-app-password");
  await expect(shown).not.toHaveValue("");
  const appPassword = await shown.inputValue();
  expect(appPassword).not.toBe(PASSWORD);
  const listed = page.getByTestId("app-passwords").locator("tbody tr", { hasText: "rclone laptop" });
  await expect(listed.locator("td").nth(2)).toHaveText("never");

  // WebDAV clients cannot do the second factor: the account password alone is no way in.
  const refused = rclone(baseURL!, email, PASSWORD, "lsd", ":webdav:");
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain("401");

  const source = fs.mkdtempSync(path.join(os.tmpdir(), "clouddrive-rclone-"));
  const text = "copied by rclone over WebDAV\n";
  fs.writeFileSync(path.join(source, "hello.txt"), text);
  const copied = rclone(baseURL!, email, appPassword, "copy", source, ":webdav:fromrclone");
  expect(copied.status, copied.stderr).toBe(0);
  const listing = rclone(baseURL!, email, appPassword, "ls", ":webdav:fromrclone");
  expect(listing.status, listing.stderr).toBe(0);
  expect(listing.stdout).toMatch(new RegExp(`^\\s*${Buffer.byteLength(text)} hello\\.txt$`, "m"));

  // The drive shows what rclone put there.
  await page.goto("/drive");
  await hydrated(page);
  await row(page, "fromrclone").getByRole("link", { name: /fromrclone/ }).click();
  await expect(page.getByTestId("breadcrumbs")).toContainText("fromrclone");
  await expect(row(page, "hello.txt")).toBeVisible();

  // Shown once only; the list now has a last-used time.
  await page.goto("/account");
  await hydrated(page);
  await expect(page.getByTestId("new-app-password")).toHaveCount(0);
  await expect(listed.locator("td").nth(2).locator("time")).toHaveCount(1);
  await expect(listed.locator("td").nth(2)).not.toHaveText("never");

  await page.getByRole("button", { name: "Revoke rclone laptop" }).click();
  await expect(page.getByText("App password revoked.")).toBeVisible();
  await expect(page.getByTestId("app-passwords")).toHaveCount(0);

  const locked = rclone(baseURL!, email, appPassword, "ls", ":webdav:fromrclone");
  expect(locked.status).not.toBe(0);
  expect(locked.stderr).toContain("401");
  fs.rmSync(source, { recursive: true, force: true });
});
