import { test, expect } from "./fixtures";
import crypto from "node:crypto";
import fs from "node:fs";
import JSZip from "jszip";
import { dropFile, openNewDrive, row } from "./drive";

test("share a folder with a password and an expiry; a stranger opens it, downloads a file and the zip; revoking ends it", async ({ page, browser }) => {
  await openNewDrive(page, "Folder Sharer");
  await page.getByLabel("New folder name").fill("Trip 2027");
  await page.getByRole("button", { name: "Create folder" }).click();
  await row(page, "Trip 2027").getByRole("link", { name: /Trip 2027/ }).click();
  await expect(page.getByTestId("breadcrumbs")).toContainText("Trip 2027");
  const notes = Buffer.from("Día 1: beach\nDía 2: mountains\n");
  const photo = crypto.randomBytes(3 * 1024 * 1024 + 11);
  await dropFile(page, "notes.txt", notes, "text/plain");
  await expect(row(page, "notes.txt")).toBeVisible({ timeout: 30_000 });
  await dropFile(page, "photo.jpg", photo, "image/jpeg");
  await expect(row(page, "photo.jpg")).toBeVisible({ timeout: 30_000 });

  await page.getByRole("link", { name: "My drive" }).click();
  await row(page, "Trip 2027").getByRole("button", { name: "Share" }).click();
  const panel = page.getByTestId("share-panel");
  await expect(panel).toContainText("Share “Trip 2027”");
  await panel.getByLabel("Password (optional)").fill("harbour lights 9");
  await panel.getByLabel("Expires (optional)").fill("2030-06-01T12:00");
  await panel.getByRole("button", { name: "Create link" }).click();
  const url = await panel.getByTestId("share-url").inputValue();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{44}$/);

  // A stranger: another browser, not logged in, JavaScript off (the link's pages need none).
  const stranger = await browser.newContext({ javaScriptEnabled: false });
  const visit = await stranger.newPage();
  const answer = await visit.goto(url);
  expect(answer!.headers()["x-robots-tag"]).toContain("noindex");
  await expect(visit.getByRole("heading")).toHaveText("This folder is protected");
  await expect(visit.locator("body")).not.toContainText("notes.txt");
  await visit.getByLabel("Password").fill("wrong guess");
  await visit.getByRole("button", { name: "Open" }).click();
  await expect(visit.getByRole("alert")).toContainText("not right");
  await visit.getByLabel("Password").fill("harbour lights 9");
  await visit.getByRole("button", { name: "Open" }).click();
  await expect(visit.getByRole("link", { name: "notes.txt" })).toBeVisible();

  const file = visit.waitForEvent("download");
  await visit.getByRole("link", { name: "notes.txt" }).click();
  const notesDownload = await file;
  expect(notesDownload.suggestedFilename()).toBe("notes.txt");
  expect(fs.readFileSync(await notesDownload.path())).toEqual(notes);

  const zipping = visit.waitForEvent("download");
  await visit.getByRole("link", { name: "Download all as zip" }).click();
  const zipDownload = await zipping;
  expect(zipDownload.suggestedFilename()).toBe("Trip 2027.zip");
  const zip = await JSZip.loadAsync(fs.readFileSync(await zipDownload.path()));
  expect(Object.keys(zip.files).sort()).toEqual(["Trip 2027/notes.txt", "Trip 2027/photo.jpg"]);
  expect(await zip.file("Trip 2027/notes.txt")!.async("nodebuffer")).toEqual(notes);
  expect(await zip.file("Trip 2027/photo.jpg")!.async("nodebuffer")).toEqual(photo);

  // The owner sees the link, its protection and its two downloads, and turns it off.
  await page.getByRole("link", { name: "Shared by me" }).click();
  const link = page.locator('[data-testid="share"][data-name="Trip 2027"]');
  await expect(link).toContainText("Password");
  await expect(link).toContainText("Expires");
  await expect(link.getByTestId("share-downloads")).toHaveText("2");
  await expect(link.getByTestId("share-url")).toHaveValue(url);
  await link.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("shares-empty")).toBeVisible();
  await visit.reload();
  await expect(visit.getByRole("heading")).toHaveText("This link does not work");
  await stranger.close();
});

test("a stranger drops files through a drop link without seeing the folder; the owner finds them", async ({ page, browser }) => {
  await openNewDrive(page, "Drop Owner");
  await page.getByLabel("New folder name").fill("Inbox");
  await page.getByRole("button", { name: "Create folder" }).click();
  await row(page, "Inbox").getByRole("link", { name: /Inbox/ }).click();
  await dropFile(page, "brief.txt", Buffer.from("the owner's own brief"), "text/plain");
  await expect(row(page, "brief.txt")).toBeVisible({ timeout: 30_000 });
  await page.getByRole("link", { name: "My drive" }).click();
  await row(page, "Inbox").getByRole("button", { name: "Share" }).click();
  const panel = page.getByTestId("share-panel");
  await panel.getByTestId("share-kind").selectOption("drop");
  await expect(panel.getByTestId("share-limit")).toHaveCount(0);
  await panel.getByRole("button", { name: "Create link" }).click();
  const url = await panel.getByTestId("share-url").inputValue();

  const stranger = await browser.newContext();
  const visit = await stranger.newPage();
  await visit.goto(url);
  await expect(visit).toHaveURL(/\/drop\/[A-Za-z0-9_-]{44}$/);
  await expect(visit.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(visit.getByRole("heading", { name: "Send files" })).toBeVisible();
  await expect(visit.locator("body")).not.toContainText("brief.txt");
  const scan = crypto.randomBytes(9 * 1024 * 1024 + 1);
  await visit.getByTestId("file-input").setInputFiles([
    { name: "scan.pdf", mimeType: "application/pdf", buffer: scan },
    { name: "brief.txt", mimeType: "text/plain", buffer: Buffer.from("the stranger's brief") },
  ]);
  for (const name of ["scan.pdf", "brief.txt"]) {
    await expect(visit.locator(`[data-testid="upload"][data-name="${name}"]`)).toHaveAttribute("data-phase", "done", { timeout: 60_000 });
    // Told to screen readers through the same live region as in the drive.
    await expect(visit.getByTestId("upload-announcer")).toContainText(`${name} uploaded`);
  }
  // The stranger is not told the name the second brief got.
  await expect(visit.locator("body")).not.toContainText("brief (1).txt");
  await stranger.close();

  await row(page, "Inbox").getByRole("link", { name: /Inbox/ }).click();
  await expect(row(page, "scan.pdf")).toBeVisible();
  await expect(row(page, "brief (1).txt")).toBeVisible();
  const downloading = page.waitForEvent("download");
  await row(page, "scan.pdf").getByRole("button", { name: "Download" }).click();
  expect(fs.readFileSync(await (await downloading).path())).toEqual(scan);
});
