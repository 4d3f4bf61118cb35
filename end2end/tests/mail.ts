import { APIRequestContext, expect } from "@playwright/test";
import { MAIL_API } from "../playwright.config";

type Mail = { id: string; subject: string; text: string; to: { address: string }[]; date: string };

/** Every mail maildev received for `address`, oldest first. */
async function mailsTo(request: APIRequestContext, address: string): Promise<Mail[]> {
  const res = await request.get(`${MAIL_API}/api/email`);
  expect(res.ok()).toBeTruthy();
  const all = (await res.json()) as Mail[];
  return all
    .filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()))
    .sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
}

/** Ids of mails already there, so `waitForCode` only accepts a newer one. */
export async function seenMail(request: APIRequestContext, address: string): Promise<Set<string>> {
  return new Set((await mailsTo(request, address)).map((m) => m.id));
}

/** Waits for a new mail to `address` whose subject contains `kind`, and returns its 6-digit code. */
export async function waitForCode(
  request: APIRequestContext,
  address: string,
  kind: "verification code" | "login code" | "password reset code" | "confirmation code",
  seen: Set<string>,
): Promise<string> {
  let code = "";
  await expect
    .poll(
      async () => {
        const fresh = (await mailsTo(request, address)).filter(
          (m) => !seen.has(m.id) && m.subject.includes(kind),
        );
        const match = fresh.at(-1)?.subject.match(/\b(\d{6})\b/);
        code = match ? match[1] : "";
        return code;
      },
      { timeout: 20_000, message: `a mail with a ${kind} for ${address}` },
    )
    .toMatch(/^\d{6}$/);
  return code;
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}
