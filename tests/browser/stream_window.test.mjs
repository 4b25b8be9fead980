// The job page behind a proxy that buffers whole answers, as the studio is
// on AWS (API Gateway): each event stream ends after a short window and the
// page reconnects, resuming after the last event it had — and still
// follows the job without a reload.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { api, awaiting, launch, startServer, transcriptJob, until } from "./harness.mjs";

let server, browser, admin;

before(async () => {
  server = await startServer(["--stream-window", "2"]);
  browser = await launch();
  admin = server.token("browser-admin");
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("short event streams that reconnect keep the job page live", async () => {
  const job = await transcriptJob(server, admin);
  const context = await browser.newContext();
  const page = await context.newPage();
  const streams = [];
  page.on("request", (r) => {
    if (r.url().includes("/events")) streams.push(r.allHeaders().then((h) => h["last-event-id"] ?? null));
  });
  await page.goto(server.url + "/studio/sign-in");
  await page.fill("#token", admin);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/studio\/$/);
  await page.goto(`${server.url}/studio/jobs/${job.id}`);
  await page.locator(".panel.gate a", { hasText: "Review segment" }).waitFor();
  await page.evaluate(() => (window.__same_page = true));

  // Wait out a window or two, then move the job on from elsewhere.
  await page.waitForTimeout(2500);
  const approved = await api(server, admin, "POST", `/v1/jobs/${job.id}/stages/segment/approve`);
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  await until(server, admin, job.id, awaiting("outline"));
  await page.locator(".panel.gate a", { hasText: "Review outline" }).waitFor({ timeout: 30000 });
  assert.equal(await page.evaluate(() => window.__same_page), true, "updated in place, not reloaded");
  // The next reconnection resumes after the last event the page had.
  const deadline = Date.now() + 15000;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await Promise.all(streams);
    if (seen.some((id) => id !== null && Number(id) > job.last_event_seq)) break;
    await page.waitForTimeout(250);
  }
  assert.ok(seen.length >= 2, `the page reconnected: ${JSON.stringify(seen)}`);
  assert.ok(
    seen.some((id) => id !== null && Number(id) > job.last_event_seq),
    `a reconnection resumed after the events it had: ${JSON.stringify(seen)}`
  );
  await context.close();
});
