import { test as base, expect } from "@playwright/test";

/**
 * Every test's browser context fails the test if any page reports a Content-Security-Policy
 * violation, so the policy is proven against the real app, not just sent; or if the app
 * panics in the browser (a hydration mismatch, say, which leaves the page dead).
 */
export const test = base.extend({
  context: async ({ context }, use) => {
    const violations: string[] = [];
    const panics: string[] = [];
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    const watch = (page: import("@playwright/test").Page) =>
      page.on("console", (message) => {
        const text = message.text();
        if (text.startsWith("CSP violation") || text.includes("Content Security Policy")) {
          violations.push(`${page.url()}: ${text}`);
        }
        if (message.type() === "error" && text.includes("panicked at")) {
          panics.push(`${page.url()}: ${text.split("\n")[0]}`);
        }
      });
    context.pages().forEach(watch);
    context.on("page", watch);
    await use(context);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
    expect(panics, "panics in the browser").toEqual([]);
  },
});

export { expect };
