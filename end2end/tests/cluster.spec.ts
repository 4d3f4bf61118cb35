import { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { hydrated, logIn, registerAndVerify } from "./flows";
import { expectAccessible } from "./axe";
import { ADMIN_EMAIL } from "../playwright.config";

const node = (page: Page, name: string) => page.getByTestId(`node-${name}`);
/** The number on a replication-health card. */
const copies = (page: Page, id: string) => page.getByTestId(id).locator("strong");

test("the nodes page shows three nodes; an admin stops one, sees degraded copies, starts it, three copies return", async ({ page, request }) => {
  // Public and server-rendered: the first response already lists the regions.
  const html = await (await request.get("/nodes")).text();
  for (const region of ["us-east", "eu-west", "asia"]) expect(html).toContain(region);

  await registerAndVerify(page, "Cluster Admin", ADMIN_EMAIL);
  await page.goto("/login?next=%2Fnodes");
  await logIn(page, ADMIN_EMAIL);
  await expect(page).toHaveURL(/\/nodes$/);
  await hydrated(page);
  for (const name of ["us-east", "eu-west", "asia"]) {
    await expect(node(page, name)).toHaveAttribute("data-up", "true");
  }
  // The admin's view (its controls included) passes axe too, in both themes.
  await expectAccessible(page, "nodes (admin)");

  // Files other tests stored are on the cluster too: count from what is there now.
  await expect(copies(page, "copies-2")).toHaveText("0");
  const before = Number(await copies(page, "copies-3").textContent());
  const n = (k: number) => String(before + k);

  await page.getByRole("button", { name: "Run a write test" }).click();
  await expect(page.getByRole("status")).toContainText("Write test passed");
  await expect(copies(page, "copies-3")).toHaveText(n(1));

  await node(page, "asia").getByRole("button", { name: "Stop node" }).click();
  await expect(node(page, "asia")).toHaveAttribute("data-up", "false");
  await expect(node(page, "asia")).toContainText("down");
  await expect(copies(page, "copies-2")).toHaveText(n(1));
  await expect(copies(page, "copies-3")).toHaveText("0");

  // A write while asia is down lands on two nodes and waits for repair.
  await page.getByRole("button", { name: "Run a write test" }).click();
  await expect(page.getByRole("status")).toContainText("2 copies");
  await expect(page.getByTestId("repair-queue")).toContainText("1 replica(s) waiting");

  await node(page, "asia").getByRole("button", { name: "Start node" }).click();
  await expect(node(page, "asia")).toHaveAttribute("data-up", "true");
  await expect(copies(page, "copies-3")).toHaveText(n(1));
  await expect(copies(page, "copies-2")).toHaveText("0");
  await expect(page.getByTestId("repair-queue")).toContainText("0 replica(s) waiting");

  // The background jobs, for administrators: each named, with what it is doing; the repair
  // that brought asia back counts as a run of the repair queue.
  const jobs = page.getByTestId("jobs");
  for (const job of ["cluster health", "repair queue", "scrub", "drive sweeper", "account sweeper"]) {
    await expect(jobs.getByRole("row", { name: new RegExp(job) })).toBeVisible();
  }
  await expect(jobs.getByRole("row", { name: /repair queue/ })).toContainText(/idle|running/);
  await expect(jobs.getByRole("row", { name: /cluster health/ })).not.toContainText("not yet");
  // One app server on its own leads itself, and the page says so.
  await expect(page.getByTestId("leader")).toContainText(/This app server: (\S+)\. Leader: \1$/);
});

test("node controls are for admins only", async ({ request }) => {
  const stop = await request.post("/api/cluster/nodes/stop", { data: { name: "asia" } });
  expect(stop.status()).toBe(401);
  const jobs = await request.post("/api/cluster/jobs");
  expect(jobs.status()).toBe(401);
});
