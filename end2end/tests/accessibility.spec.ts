// Every page under axe-core in both themes, and the drive and the booking flow by keyboard
// alone, the way someone without a mouse (or with a screen reader) uses them.
import { Locator, Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { expectAccessible } from "./axe";
import { dropFile, openNewDrive, row } from "./drive";
import { hydrated, logIn, registerAndVerify } from "./flows";

const BOOKING_PAGE = "/skillshare/book/c-guitar-first-chords";

/** Presses Tab until `target` has the focus (at most `limit` times), as a keyboard user
 * would reach it; then checks that the focus is visible there. */
async function tabTo(page: Page, target: Locator, limit = 250) {
  const handle = await target.elementHandle();
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await handle!.evaluate((el) => el === document.activeElement)) {
      await expectVisibleFocus(page);
      return;
    }
  }
  throw new Error(`${target} not reached with Tab`);
}

/** The focused element (or the control it sits in, for a hidden file input) shows an outline. */
async function expectVisibleFocus(page: Page) {
  const outline = await page.evaluate(() => {
    let el = document.activeElement as HTMLElement | null;
    for (; el; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.opacity !== "0" && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) {
        return `${style.outlineWidth} ${style.outlineStyle}`;
      }
    }
    return "none";
  });
  expect(outline, "a visible focus ring").not.toBe("none");
}

const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement);

test("every page has no serious or critical axe violation, in the light and the dark theme", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const check = async (path: string, what: string) => {
    await page.goto(path);
    await hydrated(page);
    await expectAccessible(page, what);
  };
  // Logged out: the public pages and the account forms.
  await check("/", "home");
  await check("/skillshare", "teachers");
  await check("/skillshare/courses", "courses");
  await check(BOOKING_PAGE, "booking page");
  await page.locator("button.slot").first().click();
  await expectAccessible(page, "booking page, a time chosen");
  await check("/skillshare/teachers/t-diego-alvarez", "teacher page");
  await check("/register", "register");
  await check("/login", "login");
  await check("/verify?email=someone%40example.com", "verify");
  await check("/forgot", "forgot password");
  await check("/reset?token=x", "reset password");
  await check("/no/such/page", "not found");

  // Logged in: the drive with a file, a folder, the trash and a link.
  await openNewDrive(page, "Axe Tester");
  await page.getByLabel("New folder name").fill("Papers");
  await page.getByRole("button", { name: "Create folder" }).click();
  await dropFile(page, "notes.txt", Buffer.from("axe"), "text/plain");
  await dropFile(page, "old.txt", Buffer.from("old"), "text/plain");
  await expect(row(page, "old.txt")).toBeVisible({ timeout: 30_000 });
  await expect(row(page, "notes.txt")).toBeVisible();
  await row(page, "old.txt").getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "old.txt")).toHaveCount(0);
  await expectAccessible(page, "drive, uploads listed");
  await row(page, "notes.txt").getByRole("button", { name: "Rename" }).click();
  await expect(page.getByLabel("New name")).toBeVisible();
  await expectAccessible(page, "drive, renaming");
  await page.keyboard.press("Escape");
  await expect(page.getByLabel("New name")).toHaveCount(0);
  await row(page, "notes.txt").locator("button.entry-name").click();
  await expect(page.getByTestId("detail")).toBeVisible();
  await expectAccessible(page, "drive, file details");
  await page.keyboard.press("Escape");
  await row(page, "Papers").getByRole("button", { name: "Share" }).click();
  const panel = page.getByTestId("share-panel");
  await panel.getByTestId("share-kind").selectOption("drop");
  await panel.getByRole("button", { name: "Create link" }).click();
  // The form is replaced by the link, which takes the focus: Escape still closes the panel.
  await expect.poll(() => isFocused(panel.getByTestId("share-url"))).toBe(true);
  const dropUrl = await panel.getByTestId("share-url").inputValue();
  await expectAccessible(page, "drive, link created");
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await row(page, "notes.txt").getByRole("button", { name: "Share" }).click();
  await panel.getByRole("button", { name: "Create link" }).click();
  await expect.poll(() => isFocused(panel.getByTestId("share-url"))).toBe(true);
  const fileUrl = await panel.getByTestId("share-url").inputValue();
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await page.getByRole("button", { name: "Gallery view" }).click();
  await expectAccessible(page, "drive, gallery");
  // In the gallery too, the details close back onto the tile that opened them.
  const tile = page.locator('[data-testid="tile"][data-name="notes.txt"] button');
  await tile.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("detail")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("detail")).toHaveCount(0);
  await expect.poll(() => isFocused(tile)).toBe(true);
  await check("/drive/trash", "trash");
  await check("/drive/shared", "shared by me");
  await check("/account", "account");
  await check("/skillshare/bookings", "my bookings");
  await check("/skillshare/teach", "teach");
  await check("/nodes", "nodes (not an admin)");

  // What a stranger sees of the drop link.
  const strangers = await browser.newContext();
  const stranger = await strangers.newPage();
  await stranger.goto(dropUrl);
  await hydrated(stranger);
  await expectAccessible(stranger, "drop link");
  // The link pages are plain HTML from the server (no script to wait for).
  await stranger.goto(fileUrl);
  await expectAccessible(stranger, "file link");
  await stranger.goto(new URL("/s/no-such-link", fileUrl).toString());
  await expectAccessible(stranger, "dead link");
  await strangers.close();
});

test("the drive by keyboard alone: upload, rename, move, delete, restore, with a visible focus and announced progress", async ({ page }) => {
  test.setTimeout(120_000);
  await openNewDrive(page, "Keyboard User");
  // The announcer is on the page before anything happens, so screen readers hear its changes.
  const announcer = page.getByTestId("upload-announcer");
  await expect(announcer).toHaveAttribute("aria-live", "polite");
  await expect(announcer).toHaveText("");

  // A folder, named and created from the keyboard.
  await tabTo(page, page.getByLabel("New folder name"));
  await page.keyboard.type("Letters");
  await page.keyboard.press("Enter");
  await expect(row(page, "Letters")).toBeVisible();

  // Upload: the file button opens the chooser from the keyboard.
  await tabTo(page, page.getByTestId("file-input"));
  const chooser = page.waitForEvent("filechooser");
  await page.keyboard.press("Enter");
  await (await chooser).setFiles({ name: "draft.txt", mimeType: "text/plain", buffer: Buffer.from("typed, not clicked") });
  await expect(row(page, "draft.txt")).toBeVisible({ timeout: 30_000 });
  await expect(announcer).toContainText("draft.txt uploaded");

  // Rename: the name field takes the focus; Enter saves, and the focus returns to the row.
  const file = row(page, "draft.txt");
  await tabTo(page, file.getByRole("button", { name: "Rename" }));
  await page.keyboard.press("Enter");
  const newName = page.getByLabel("New name");
  await expect.poll(() => isFocused(newName)).toBe(true);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("letter.txt");
  await page.keyboard.press("Enter");
  const renamed = row(page, "letter.txt");
  await expect(renamed).toBeVisible();
  await expect.poll(() => isFocused(renamed.getByRole("button", { name: "Rename" }))).toBe(true);

  // Escape leaves a form without changing anything.
  await page.keyboard.press("Enter");
  await expect.poll(() => isFocused(page.getByLabel("New name"))).toBe(true);
  await page.keyboard.type("-not-this");
  await page.keyboard.press("Escape");
  await expect(page.getByLabel("New name")).toHaveCount(0);
  await expect.poll(() => isFocused(renamed.getByRole("button", { name: "Rename" }))).toBe(true);
  // Opened again, the form shows the name, not the abandoned text.
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("New name")).toHaveValue("letter.txt");

  // A name the server refuses: the error is shown, the focus is back on the row's button.
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("Letters");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toContainText("already in this folder");
  await expect.poll(() => isFocused(renamed.getByRole("button", { name: "Rename" }))).toBe(true);

  // The share panel takes the focus, and Escape gives it back to the row's Share button.
  await tabTo(page, renamed.getByRole("button", { name: "Share" }));
  await page.keyboard.press("Enter");
  await expect.poll(() => isFocused(page.getByRole("button", { name: "Close sharing" }))).toBe(true);
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("share-panel")).toHaveCount(0);
  await expect.poll(() => isFocused(renamed.getByRole("button", { name: "Share" }))).toBe(true);

  // Details open from the name and close with Escape, the focus back on the name.
  await tabTo(page, renamed.locator("button.entry-name"));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("detail")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("detail")).toHaveCount(0);
  await expect.poll(() => isFocused(renamed.locator("button.entry-name"))).toBe(true);

  // Move into the folder: the folder list takes the focus, arrows choose, Enter moves.
  await tabTo(page, renamed.getByRole("button", { name: "Move" }));
  await page.keyboard.press("Enter");
  const target = page.getByLabel("Move to");
  await expect.poll(() => isFocused(target)).toBe(true);
  // The folders arrive from the server after the list opens.
  await expect(target.getByRole("option", { name: "Letters" })).toHaveCount(1);
  await target.press("ArrowDown"); // My drive (top)
  await target.press("ArrowDown"); // Letters
  await expect(target.locator("option:checked")).toHaveText("Letters");
  await tabTo(page, page.getByRole("button", { name: "Move here" }));
  await page.keyboard.press("Enter");
  await expect(row(page, "letter.txt")).toHaveCount(0);
  // The row is gone: the focus goes on to the same button of the row left, not to the page.
  await expect.poll(() => isFocused(row(page, "Letters").getByRole("button", { name: "Move" }))).toBe(true);

  // Into the folder by its link, then delete from there.
  await tabTo(page, row(page, "Letters").getByRole("link", { name: /Letters/ }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("breadcrumbs")).toContainText("Letters");
  await tabTo(page, row(page, "letter.txt").getByRole("button", { name: "Delete" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("moved to the trash");
  await expect(row(page, "letter.txt")).toHaveCount(0);
  // No row left: the focus is on the message saying the folder is empty.
  await expect.poll(() => isFocused(page.getByTestId("empty"))).toBe(true);
  await expectVisibleFocus(page);

  // Restore from the trash.
  await tabTo(page, page.getByRole("link", { name: "Trash" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/drive\/trash/);
  const trashed = page.locator('[data-testid="trashed"][data-name="letter.txt"]');
  await tabTo(page, trashed.getByRole("button", { name: "Restore" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("trash-empty")).toBeVisible();
  await expect.poll(() => isFocused(page.getByTestId("trash-empty"))).toBe(true);
  await page.goto("/drive");
  await row(page, "Letters").getByRole("link", { name: /Letters/ }).click();
  await expect(row(page, "letter.txt")).toBeVisible();
});

test("after a move, a delete or a restore by keyboard, the focus goes on to the row that took its place", async ({ page }) => {
  test.setTimeout(90_000);
  await openNewDrive(page, "Tidy User");
  // A folder Box that holds an a.txt already, and a.txt, b.txt and c.txt at the top.
  await page.getByLabel("New folder name").fill("Box");
  await page.getByRole("button", { name: "Create folder" }).click();
  await row(page, "Box").getByRole("link", { name: /Box/ }).click();
  await expect(page.getByTestId("breadcrumbs")).toContainText("Box");
  await dropFile(page, "a.txt", Buffer.from("boxed"), "text/plain");
  await expect(row(page, "a.txt")).toBeVisible({ timeout: 30_000 });
  await page.getByTestId("breadcrumbs").getByRole("link", { name: "My drive" }).click();
  await expect(row(page, "Box")).toBeVisible();
  for (const name of ["a.txt", "b.txt", "c.txt"]) {
    await dropFile(page, name, Buffer.from(name), "text/plain");
    await expect(row(page, name)).toBeVisible({ timeout: 30_000 });
  }
  // A move the server refuses (Box has an a.txt): the row stays, and so does the focus.
  const moveIn = (name: string) => row(page, name).getByRole("button", { name: "Move" });
  await moveIn("a.txt").focus();
  await page.keyboard.press("Enter");
  const target = page.getByLabel("Move to");
  await expect(target.getByRole("option", { name: "Box" })).toHaveCount(1);
  await target.selectOption({ label: "Box" });
  await page.getByRole("button", { name: "Move here" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toContainText("already in this folder");
  await expect.poll(() => isFocused(moveIn("a.txt"))).toBe(true);

  const deleteIn = (name: string) => row(page, name).getByRole("button", { name: "Delete" });
  // b goes: c, below it, takes its place; c goes (the last row): a, above it.
  await deleteIn("b.txt").focus();
  await page.keyboard.press("Enter");
  await expect(row(page, "b.txt")).toHaveCount(0);
  await expect.poll(() => isFocused(deleteIn("c.txt"))).toBe(true);
  await page.keyboard.press("Enter");
  await expect(row(page, "c.txt")).toHaveCount(0);
  await expect.poll(() => isFocused(deleteIn("a.txt"))).toBe(true);
  await expect(row(page, "a.txt")).toBeVisible();

  // The trash, in the order it lists b and c: restore the first, the other takes the focus;
  // delete that one for good, and the focus is on the message that the trash is empty.
  await page.getByRole("link", { name: "Trash" }).click();
  const trashed = page.getByTestId("trashed");
  await expect(trashed).toHaveCount(2);
  const [first, second] = await trashed.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-name")));
  const inTrash = (name: string | null, button: string) =>
    page.locator(`[data-testid="trashed"][data-name="${name}"]`).getByRole("button", { name: button, exact: true });
  await inTrash(first, "Restore").focus();
  await page.keyboard.press("Enter");
  await expect(trashed).toHaveCount(1);
  await expect.poll(() => isFocused(inTrash(second, "Restore"))).toBe(true);
  await page.keyboard.press("Tab");
  await expect.poll(() => isFocused(inTrash(second, "Delete forever"))).toBe(true);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("trash-empty")).toBeVisible();
  await expect.poll(() => isFocused(page.getByTestId("trash-empty"))).toBe(true);
});

test("rows chosen and then deleted or moved together by keyboard hand the focus to the row that took their place", async ({ page }) => {
  test.setTimeout(90_000);
  await openNewDrive(page, "Bulk Keyboard User");
  await page.getByLabel("New folder name").fill("Box");
  await page.getByRole("button", { name: "Create folder" }).click();
  await expect(row(page, "Box")).toBeVisible();
  for (const name of ["a.txt", "b.txt", "c.txt", "d.txt"]) {
    await dropFile(page, name, Buffer.from(name), "text/plain");
    await expect(row(page, name)).toBeVisible({ timeout: 30_000 });
  }
  const choose = async (name: string) => {
    const box = row(page, name).getByRole("checkbox", { name: `Select ${name}` });
    await box.focus();
    await page.keyboard.press("Space");
    await expect(box).toBeChecked();
  };
  const bar = page.getByTestId("selection");
  const notice = page.getByTestId("selection-notice");

  // c and b (chosen in that order) deleted together: d, below them, takes their place.
  await choose("c.txt");
  await choose("b.txt");
  await bar.getByRole("button", { name: "Delete" }).focus();
  await page.keyboard.press("Enter");
  await expect(notice).toContainText("2 items moved to the trash");
  await expect(row(page, "b.txt")).toHaveCount(0);
  await expect(row(page, "c.txt")).toHaveCount(0);
  await expect.poll(() => isFocused(row(page, "d.txt").getByRole("button", { name: "Delete" }))).toBe(true);
  await expectVisibleFocus(page);

  // a and d, the last rows, moved into Box: nothing below them stays, so Box above them.
  await choose("a.txt");
  await choose("d.txt");
  const to = bar.getByLabel("Move chosen items to");
  await expect(to.getByRole("option", { name: "Box" })).toHaveCount(1);
  await to.selectOption({ label: "Box" });
  await bar.getByRole("button", { name: "Move" }).focus();
  await page.keyboard.press("Enter");
  await expect(notice).toContainText("Moved 2 items");
  await expect(row(page, "a.txt")).toHaveCount(0);
  await expect(row(page, "d.txt")).toHaveCount(0);
  await expect.poll(() => isFocused(row(page, "Box").getByRole("button", { name: "Move" }))).toBe(true);
  await expectVisibleFocus(page);
});

test("an upload that cannot be stored is announced at once, saying why", async ({ page }) => {
  await openNewDrive(page, "Alerted User");
  const alert = page.getByTestId("upload-alert");
  await expect(alert).toHaveAttribute("aria-live", "assertive");
  await expect(alert).toHaveText("");
  await dropFile(page, "empty.txt", Buffer.alloc(0), "text/plain");
  await expect(alert).toContainText("empty.txt not uploaded");
});

test("book a lesson by keyboard alone", async ({ page }) => {
  const email = await registerAndVerify(page, "Keyboard Student");
  await page.goto(`/login?next=${encodeURIComponent(BOOKING_PAGE)}`);
  await logIn(page, email);
  await expect(page).toHaveURL(new RegExp(BOOKING_PAGE));
  await hydrated(page);
  // A slot two days ahead (free to cancel), reached and chosen with Tab and Space.
  await expect(page.locator("button.slot").first()).toBeVisible();
  const starts = await page
    .locator("button.slot")
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-start"))));
  const start = starts.find((s) => s > Date.now() / 1000 + 2 * 86400);
  expect(start, "a free slot two days ahead").toBeTruthy();
  const slot = page.locator(`button.slot[data-start="${start}"]`);
  await tabTo(page, slot);
  await page.keyboard.press("Space");
  await expect(slot).toHaveAttribute("aria-pressed", "true");
  await tabTo(page, page.getByRole("button", { name: "Confirm booking" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("booked")).toContainText("Booked!");
  await tabTo(page, page.getByRole("link", { name: "See my bookings" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("bookings").first()).toContainText("Guitar");
});
