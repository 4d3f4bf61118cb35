import { test, expect } from "./fixtures";
import fs from "node:fs";
import { dropFile, openNewDrive, row } from "./drive";

test("an upload of a taken name asks; Replace keeps the old content as a version, which restores; Keep both numbers", async ({ page }) => {
  await openNewDrive(page, "Version Keeper");
  const first = Buffer.from("first draft\n");
  const second = Buffer.from("second draft, longer\n");
  await dropFile(page, "plan.txt", first, "text/plain");
  await expect(row(page, "plan.txt")).toContainText("12 B");

  await dropFile(page, "plan.txt", second, "text/plain");
  const asking = page.locator('[data-testid="upload"][data-name="plan.txt"][data-phase="asking"]');
  await expect(asking).toContainText("is already in this folder");
  await asking.getByRole("button", { name: "Replace" }).click();
  await expect(row(page, "plan.txt")).toContainText("21 B");
  await expect(row(page, "plan (1).txt")).toHaveCount(0);

  await row(page, "plan.txt").getByRole("button", { name: /plan\.txt/ }).click();
  const detail = page.getByTestId("detail");
  const versions = detail.getByTestId("version");
  await expect(versions).toHaveCount(1);
  await expect(versions.first()).toContainText("Version 1 · 12 B");
  await expect(versions.first()).toContainText("by you");
  await versions.first().getByRole("button", { name: "Restore" }).click();
  await expect(page.getByRole("status")).toContainText("restored; the content it replaced is now a version");
  await expect(row(page, "plan.txt")).toContainText("12 B");
  await expect(versions).toHaveCount(1);
  await expect(versions.first()).toContainText("Version 2 · 21 B");

  const downloading = page.waitForEvent("download");
  await detail.getByRole("button", { name: "Download" }).first().click();
  expect(fs.readFileSync(await (await downloading).path())).toEqual(first);
  const old = page.waitForEvent("download");
  await versions.first().getByRole("button", { name: "Download" }).click();
  expect(fs.readFileSync(await (await old).path())).toEqual(second);
  await detail.getByRole("button", { name: "Close details" }).click();

  await dropFile(page, "plan.txt", Buffer.from("third"), "text/plain");
  await page
    .locator('[data-testid="upload"][data-name="plan.txt"][data-phase="asking"]')
    .getByRole("button", { name: "Keep both" })
    .click();
  await expect(row(page, "plan (1).txt")).toContainText("5 B");
});
