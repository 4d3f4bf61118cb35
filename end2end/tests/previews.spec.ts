import { Locator } from "@playwright/test";
import { test, expect } from "./fixtures";
import { dropFile, openNewDrive, png, row } from "./drive";

/** Whether an <img> has loaded a real picture. */
const loaded = (image: Locator) => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);

test("an image shows its thumbnail in the listing and the gallery, and the details preview images and text", async ({ page }) => {
  await openNewDrive(page, "Photo Viewer");
  await dropFile(page, "sunset.png", png(640, 480), "image/png");
  const thumbnail = row(page, "sunset.png").getByTestId("thumbnail");
  await expect(thumbnail).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => loaded(thumbnail)).toBe(true);
  expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(256);

  await dropFile(page, "notes.txt", Buffer.from("Hello <b>world</b>\nline two\n"), "text/plain");
  await expect(row(page, "notes.txt")).toBeVisible();
  await expect(row(page, "notes.txt").getByTestId("thumbnail")).toHaveCount(0);

  await page.getByRole("button", { name: "Gallery view" }).click();
  const tile = page.locator('[data-testid="tile"][data-name="sunset.png"]');
  await expect.poll(() => loaded(tile.locator("img"))).toBe(true);
  await tile.getByRole("button").click();
  const preview = page.getByTestId("detail").getByTestId("preview");
  await expect.poll(() => loaded(preview.locator("img"))).toBe(true);
  expect(await preview.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  await page.getByRole("button", { name: "Close details" }).click();

  await page.getByRole("button", { name: "List view" }).click();
  await row(page, "notes.txt").getByRole("button", { name: /notes\.txt/ }).click();
  // Shown as text: the markup is not rendered.
  await expect(page.getByTestId("text-preview")).toHaveText("Hello <b>world</b>\nline two\n");
  await expect(page.getByTestId("text-preview").locator("b")).toHaveCount(0);
});
