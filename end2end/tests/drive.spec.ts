import { test, expect } from "./fixtures";
import crypto from "node:crypto";
import fs from "node:fs";
import { hydrated } from "./flows";
import { dropFile, openNewDrive, row, usedBytes } from "./drive";

const sha256 = (bytes: Buffer) => crypto.createHash("sha256").update(bytes).digest("hex");

test("drag a file in, watch it upload, download it intact, rename, move, delete and restore it", async ({ page }) => {
  await openNewDrive(page, "Drive User");
  await expect(page.getByTestId("empty")).toBeVisible();
  expect(await usedBytes(page)).toBe(0);

  // Two chunks' worth, so the progress bar has something to show.
  const original = crypto.randomBytes(9 * 1024 * 1024 + 4321);
  await dropFile(page, "holiday video.mp4", original, "video/mp4");
  const upload = page.locator('[data-testid="upload"][data-name="holiday video.mp4"]');
  await expect(upload.locator("progress")).toBeVisible();
  await expect(upload).toHaveAttribute("data-phase", "done", { timeout: 60_000 });
  await expect(upload.locator("progress")).toHaveAttribute("value", "100.0");
  await expect(upload).toContainText("Uploaded, 9.4 MB");

  const file = row(page, "holiday video.mp4");
  await expect(file).toBeVisible();
  await expect(file).toContainText("3/3 copies");
  await expect(file).toContainText("video/mp4");
  await expect.poll(() => usedBytes(page)).toBe(original.length);
  await expect(page.getByTestId("quota-used")).toHaveText("9.4 MB");

  // Download through the signed link and compare.
  const downloading = page.waitForEvent("download");
  await file.getByRole("button", { name: "Download" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("holiday video.mp4");
  expect(sha256(fs.readFileSync(await download.path()))).toBe(sha256(original));

  // Details: size, type, checksum, copies on all three nodes.
  await file.getByRole("button", { name: /holiday video/ }).click();
  const detail = page.getByTestId("detail");
  await expect(detail).toContainText(`${original.length} bytes`);
  await expect(detail.getByTestId("checksum")).toHaveText(/^[0-9a-f]{64}$/);
  await expect(detail.getByTestId("copies").locator("li")).toHaveCount(3);
  await expect(detail.getByTestId("copies")).not.toContainText("of 2 blocks");
  await detail.getByRole("button", { name: "Close details" }).click();

  await file.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("New name").fill("Summer 2026.mp4");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Renamed to “Summer 2026.mp4”");
  const renamed = row(page, "Summer 2026.mp4");
  await expect(renamed).toBeVisible();

  await page.getByLabel("New folder name").fill("Videos");
  await page.getByRole("button", { name: "Create folder" }).click();
  await expect(row(page, "Videos")).toBeVisible();
  await renamed.getByRole("button", { name: "Move" }).click();
  await renamed.getByLabel("Move to").selectOption({ label: "Videos" });
  await renamed.getByRole("button", { name: "Move here" }).click();
  await expect(page.getByRole("status")).toContainText("Moved “Summer 2026.mp4”");
  await expect(row(page, "Summer 2026.mp4")).toHaveCount(0);
  await row(page, "Videos").getByRole("link", { name: /Videos/ }).click();
  await expect(page.getByTestId("breadcrumbs")).toHaveText("My drive / Videos");
  await expect(row(page, "Summer 2026.mp4")).toBeVisible();

  await row(page, "Summer 2026.mp4").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("status")).toContainText("moved to the trash");
  await expect(page.getByTestId("empty")).toBeVisible();
  // Still counted: the trash is part of what is used.
  await expect(page.getByTestId("quota")).toContainText("of it in the trash");

  await page.getByRole("link", { name: "Trash" }).click();
  const trashed = page.locator('[data-testid="trashed"][data-name="Summer 2026.mp4"]');
  await trashed.getByRole("button", { name: "Restore" }).click();
  await expect(page.getByRole("status")).toContainText("is back in your drive");
  await expect(page.getByTestId("trash-empty")).toBeVisible();
  await page.getByRole("link", { name: "Back to your drive" }).click();
  await row(page, "Videos").getByRole("link", { name: /Videos/ }).click();
  await expect(row(page, "Summer 2026.mp4")).toBeVisible();
});

test("an upload beyond the quota, or of an empty file, is refused before any byte is sent, saying why", async ({ page }) => {
  await openNewDrive(page, "Full Drive");

  const fits = crypto.randomBytes(12_000_000);
  await dropFile(page, "fits.bin", fits);
  await expect(page.locator('[data-testid="upload"][data-name="fits.bin"]')).toHaveAttribute("data-phase", "done", { timeout: 60_000 });

  const chunkRequests: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PUT" && r.url().includes("/api/files/upload/")) chunkRequests.push(r.url());
  });
  // The test server's quota is 20 MB (DEFAULT_QUOTA_BYTES in playwright.config.ts).
  await dropFile(page, "too big.bin", crypto.randomBytes(10_000_000));
  const refused = page.locator('[data-testid="upload"][data-name="too big.bin"]');
  await expect(refused).toHaveAttribute("data-phase", "failed");
  await expect(refused).toContainText("Not enough room: this needs 10.0 MB and your drive has 8.0 MB left.");
  // An empty file is refused the same way, with its reason.
  await dropFile(page, "empty.txt", Buffer.alloc(0), "text/plain");
  const empty = page.locator('[data-testid="upload"][data-name="empty.txt"]');
  await expect(empty).toHaveAttribute("data-phase", "failed");
  await expect(empty).toContainText("\"empty.txt\" is empty (0 bytes): there is nothing to upload.");
  expect(chunkRequests).toEqual([]);
  await expect(row(page, "too big.bin")).toHaveCount(0);
  await expect(row(page, "empty.txt")).toHaveCount(0);
  expect(await usedBytes(page)).toBe(12_000_000);
});

test("a reload in the middle of an upload resumes from the last chunk when the file is dropped again", async ({ page }) => {
  await openNewDrive(page, "Reload User");

  const original = crypto.randomBytes(8 * 1024 * 1024 + 100_000);
  const chunks: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PUT") chunks.push(r.url().split("/").pop()!);
  });
  // The second chunk hangs, as on a connection that died: the user reloads.
  await page.route("**/api/files/upload/*/1", () => {});
  await dropFile(page, "dataset.csv", original, "text/csv");
  await expect.poll(() => chunks).toEqual(["0", "1"]);
  await page.reload();
  await hydrated(page);
  const pending = page.getByTestId("pending-uploads");
  await expect(pending).toContainText("dataset.csv: 8.4 MB of 8.5 MB received");

  await page.unroute("**/api/files/upload/*/1");
  chunks.length = 0;
  await dropFile(page, "dataset.csv", original, "text/csv");
  await expect(page.locator('[data-testid="upload"][data-name="dataset.csv"]')).toHaveAttribute("data-phase", "done");
  expect(chunks).toEqual(["1"]);
  await expect(pending).toHaveCount(0);

  const downloading = page.waitForEvent("download");
  await row(page, "dataset.csv").getByRole("button", { name: "Download" }).click();
  const download = await downloading;
  expect(sha256(fs.readFileSync(await download.path()))).toBe(sha256(original));
});

test("a name taken while a file uploads gets a number, and the upload row says so", async ({ page }) => {
  await openNewDrive(page, "Busy Folder");

  // Hold the finishing call until the name is taken.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/files/upload/finish", async (route) => {
    await held;
    await route.continue();
  });
  const original = crypto.randomBytes(100_000);
  await dropFile(page, "notes.txt", original, "text/plain");
  await page.getByLabel("New folder name").fill("Notes.TXT");
  await page.getByRole("button", { name: "Create folder" }).click();
  await expect(row(page, "Notes.TXT")).toBeVisible();
  release();

  const upload = page.locator('[data-testid="upload"][data-name="notes.txt"]');
  await expect(upload).toHaveAttribute("data-phase", "done");
  await expect(upload).toContainText('Saved as "notes (1).txt": the name was taken while it uploaded.');
  const downloading = page.waitForEvent("download");
  await row(page, "notes (1).txt").getByRole("button", { name: "Download" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("notes (1).txt");
  expect(sha256(fs.readFileSync(await download.path()))).toBe(sha256(original));
});
