// What the drive's journeys share: a new account on its drive, files dropped in, rows found.
import { Page } from "@playwright/test";
import zlib from "node:zlib";
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

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer) {
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A real RGB PNG of a colour gradient (Node has no image library; PNG is simple enough). */
export function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) rows.set([x % 256, y % 256, 120], row + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
