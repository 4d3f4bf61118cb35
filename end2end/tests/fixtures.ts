import { test as base, expect } from "@playwright/test";

/**
 * Every test's browser context fails the test if any page reports a Content-Security-Policy
 * violation, so the policy is proven against the real app, not just sent.
 */
export const test = base.extend({
  context: async ({ context }, use) => {
    const violations: string[] = [];
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
      });
    context.pages().forEach(watch);
    context.on("page", watch);
    await use(context);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
  },
});

export { expect };
