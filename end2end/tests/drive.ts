// What the drive's journeys share: a new account on its drive, files dropped in, rows found.
import { Page } from "@playwright/test";
import { expect } from "./fixtures";
import { hydrated, logIn, registerAndVerify } from "./flows";

/** Drops a file onto the drive as a user dragging it from their desktop would (the same
 * file each time: a fixed last-modified time). */
export async function dropFile(page: Page, name: string, bytes: Buffer, mime = "application/octet-stream") {
  const dataTransfer = await page.evaluateHandle(
    ({ name, b64, mime }) => {
      const raw = atob(b64);
      const data = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { type: mime, lastModified: 1_790_000_000_000 }));
      return transfer;
    },
    { name, b64: bytes.toString("base64"), mime },
  );
  const drive = page.getByTestId("drive");
  await drive.dispatchEvent("dragover", { dataTransfer });
  await drive.dispatchEvent("drop", { dataTransfer });
}

/** Registers a new account, logs in, and waits on its (empty) drive: where logging in lands. */
export async function openNewDrive(page: Page, name: string) {
  const email = await registerAndVerify(page, name);
  await page.goto("/login?next=%2Fdrive");
  await logIn(page, email);
  await expect(page).toHaveURL(/\/drive$/);
  await hydrated(page);
}

export const row = (page: Page, name: string) => page.locator(`[data-testid="entry"][data-name="${name}"]`);
export const usedBytes = async (page: Page) => Number(await page.getByTestId("quota").getAttribute("data-used-bytes"));
