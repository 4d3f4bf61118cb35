// axe-core on the page as it stands, in the light and the dark theme.
import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { expect } from "./fixtures";

/** Fails on any serious or critical axe violation, in both colour schemes; names the rule and
 * the elements, so the report says what to fix. */
export async function expectAccessible(page: Page, what: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    expect(serious, `${what}, ${colorScheme} theme`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}
