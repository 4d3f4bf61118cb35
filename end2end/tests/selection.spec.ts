import { test, expect } from "./fixtures";
import fs from "node:fs";
import JSZip from "jszip";
import { dropFile, openNewDrive, row } from "./drive";

test("choose several items with checkboxes and shift-click; download them as one zip, then delete them together", async ({ page }) => {
  await openNewDrive(page, "Many Chooser");
  const files: Record<string, Buffer> = {
    "a.txt": Buffer.from("alpha"),
    "b.txt": Buffer.from("bravo"),
    "c.txt": Buffer.from("charlie"),
    "d.txt": Buffer.from("delta"),
  };
  for (const [name, bytes] of Object.entries(files)) {
    await dropFile(page, name, bytes, "text/plain");
    await expect(row(page, name)).toBeVisible();
  }
  await row(page, "a.txt").getByRole("checkbox", { name: "Select a.txt" }).click();
  await row(page, "c.txt").getByRole("checkbox", { name: "Select c.txt" }).click({ modifiers: ["Shift"] });
  const bar = page.getByTestId("selection");
  await expect(bar).toContainText("3 selected");
  await expect(row(page, "d.txt").getByRole("checkbox")).not.toBeChecked();

  const downloading = page.waitForEvent("download");
  await bar.getByRole("button", { name: "Download as zip" }).click();
  const zip = await JSZip.loadAsync(fs.readFileSync(await (await downloading).path()));
  expect(Object.keys(zip.files).sort()).toEqual(["a.txt", "b.txt", "c.txt"]);
  expect(await zip.file("b.txt")!.async("nodebuffer")).toEqual(files["b.txt"]);

  await bar.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("selection-notice")).toContainText("3 items moved to the trash");
  for (const name of ["a.txt", "b.txt", "c.txt"]) await expect(row(page, name)).toHaveCount(0);
  await expect(row(page, "d.txt")).toBeVisible();
  await expect(bar).toHaveCount(0);
});

test("a long folder loads more rows as the person scrolls to the end", async ({ page }) => {
  await openNewDrive(page, "Long Lister");
  for (let n = 1; n <= 12; n++) {
    await page.getByLabel("New folder name").fill(`Folder ${String(n).padStart(2, "0")}`);
    await page.getByRole("button", { name: "Create folder" }).click();
    await expect(page.getByRole("status")).toContainText(`Folder ${String(n).padStart(2, "0")}`);
  }
  await page.reload();
  await expect(page.getByTestId("entry")).toHaveCount(8);
  await page.getByTestId("load-more").scrollIntoViewIfNeeded();
  await expect(page.getByTestId("entry")).toHaveCount(12);
  await expect(page.getByTestId("load-more")).toHaveCount(0);
  const names = await page.getByTestId("entry").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-name")));
  expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `Folder ${String(i + 1).padStart(2, "0")}`));
});
