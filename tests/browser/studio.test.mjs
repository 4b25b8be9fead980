// The review studio in real headless Chromium, against a real
// `coursegen serve` on the offline engine (issue 23's acceptance).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";

import { api, awaiting, launch, seriousViolations, stageOf, startServer, transcriptJob, until } from "./harness.mjs";

const SHOTS = process.env.COURSEGEN_SCREENSHOTS; // a directory, to refresh README's pictures
let server, browser, admin;
const DEBUG = process.env.STUDIO_DEBUG;

before(async () => {
  server = await startServer();
  browser = await launch();
  admin = server.token("browser-admin");
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A signed-in page: with the printed one-time link, or a token pasted
 * into the sign-in form (an admin's by default). */
async function signedIn(context, token = admin, { link = false } = {}) {
  const page = await context.newPage();
  if (link) {
    await page.goto(server.signIn);
  } else {
    await page.goto(server.url + "/studio/sign-in");
    await page.fill("#token", token);
    await page.click("button[type=submit]");
  }
  await page.waitForURL(/\/studio\/$/);
  return page;
}

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
}

async function noSeriousViolations(page, what) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `axe on ${what}`);
}

test("a course is reviewed from upload to download in the browser", async () => {
  const context = await browser.newContext();
  const page = await signedIn(context, admin, { link: true });
  if (DEBUG) page.on("response", (r) => console.log(r.request().method(), r.url(), r.status()));
  assert.equal(await page.locator("text=Jobs").first().isVisible(), true);
  const used = await page.goto(server.signIn);
  assert.equal(used.status(), 401, "the sign-in link works once");

  // Upload the lecture's captions with the new-job form.
  await page.goto(server.url + "/studio/new");
  await noSeriousViolations(page, "the new-job form");
  // The file goes to its upload URL first; the form then names the upload.
  const sent = [];
  page.on("request", (r) => sent.push([r.method(), new URL(r.url()).pathname, r.postData() || ""]));
  await page.setInputFiles("#file", "examples/lecture/lecture.en.vtt");
  await page.click("text=Start the job");
  await page.waitForURL(/\/studio\/jobs\/[0-9A-Z]+$/);
  const id = page.url().split("/").pop();
  const put = sent.findIndex(([method, path]) => method === "PUT" && path.startsWith("/v1/uploads/"));
  const create = sent.findIndex(([method, path]) => method === "POST" && path === "/studio/jobs");
  assert.ok(put >= 0 && create > put, `stored before the job was asked for: ${JSON.stringify(sent.map((s) => s.slice(0, 2)))}`);
  assert.match(sent[create][2], /name="upload_key"\r\n\r\nuploads\//);
  assert.doesNotMatch(sent[create][2], /WEBVTT/, "the form no longer carries the file");

  // The job page follows the job live: no reload between "running" and the gate.
  await page.evaluate(() => (window.__same_page = true));
  await page.locator(".panel.gate a", { hasText: "Review segment" }).waitFor({ timeout: 60000 });
  assert.equal(await page.evaluate(() => window.__same_page), true, "updated in place, not reloaded");
  await shot(page, "job");
  await noSeriousViolations(page, "the job page");

  // Segments: move the first boundary 15 s later with the keyboard, save
  // (the engine then cuts at the sentence end nearest to it).
  await page.click(".panel.gate a:has-text('Review segment')");
  await page.waitForURL(/stages\/segment$/);
  const handle = page.locator(".timeline .handle").first();
  const before = Number(await handle.getAttribute("aria-valuenow"));
  await handle.focus();
  await page.keyboard.press("Shift+ArrowRight");
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  assert.equal(Number(await page.locator(".timeline .handle").first().getAttribute("aria-valuenow")), before + 15);
  await shot(page, "segments");
  await noSeriousViolations(page, "the segments gate");
  await page.click("text=Save the boundaries");
  await page.waitForURL(new RegExp(`/studio/jobs/${id}$`));
  let job = await until(server, admin, id, (j) => awaiting("segment")(j) && stageOf(j, "segment").runs.length === 2);
  const runs = await Promise.all([1, 2].map((n) => api(server, admin, "GET", `/v1/jobs/${id}/stages/segment/runs/${n}`)));
  assert.ok(runs[1].body[0].end_ms > runs[0].body[0].end_ms, "the first boundary moved later");
  await page.goto(`${server.url}/studio/jobs/${id}/stages/segment`);
  await page.click("button:has-text('Approve')");
  job = await until(server, admin, id, awaiting("outline"));

  // Outline: rename the first lesson.
  await page.goto(`${server.url}/studio/jobs/${id}/stages/outline`);
  await noSeriousViolations(page, "the outline gate");
  await page.fill("input[name='lesson.0.title']", "Renamed in the studio");
  await shot(page, "outline");
  await page.click("text=Save the outline");
  await page.locator("text=edit of run 1").waitFor();
  await page.click("button:has-text('Approve')");
  job = await until(server, admin, id, awaiting("questions"));

  // Questions: the first single-choice question gets another correct option.
  await page.goto(`${server.url}/studio/jobs/${id}/stages/questions`);
  await noSeriousViolations(page, "the questions gate");
  const radios = page.locator("fieldset.question").filter({ has: page.locator("input[type=radio]") }).first().locator("input[type=radio]");
  const count = await radios.count();
  let was = -1;
  for (let i = 0; i < count; i++) if (await radios.nth(i).isChecked()) was = i;
  const now = (was + 1) % count;
  await radios.nth(now).check();
  const prompt = await page.locator("fieldset.question").filter({ has: page.locator("input[type=radio]") }).first().locator("textarea").first().inputValue();
  await shot(page, "questions");
  await page.click("text=Save the questions");
  await page.locator("text=edit of run 1").waitFor();
  await page.click("button:has-text('Approve')");
  job = await until(server, admin, id, (j) => j.status === "succeeded");

  // The course shows both edits, and its course.json has them.
  await page.goto(`${server.url}/studio/jobs/${id}/course`);
  await noSeriousViolations(page, "the course preview");
  assert.equal(await page.locator("h3", { hasText: "Renamed in the studio" }).count(), 1);
  // Downloaded the way the job page offers it, with the session cookie only.
  await page.goto(`${server.url}/studio/jobs/${id}`);
  const download = await page.locator("a[download]", { hasText: "course.json" }).getAttribute("href");
  assert.match(download, /^\/studio\//, "the studio's own route, which needs no bearer token");
  const course = await page.evaluate(async (href) => (await fetch(href)).json(), download);
  assert.equal(course.modules[0].lessons[0].title, "Renamed in the studio");
  const edited = course.modules.flatMap((m) => m.lessons.flatMap((l) => l.exercises)).find((q) => q.prompt === prompt);
  assert.ok(edited, "the edited question is in the course");
  assert.deepEqual(edited.options.map((o) => o.correct), edited.options.map((_, i) => i === now));
  // Every package for an LMS downloads from the page the same way.
  for (const name of ["course.scorm12.zip", "course.scorm2004.zip", "course.imscc"]) {
    const href = await page.locator("a[download]", { hasText: name }).getAttribute("href");
    const got = await page.evaluate(async (href) => {
      const response = await fetch(href);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, type: response.headers.get("content-type"), magic: String.fromCharCode(bytes[0], bytes[1]) };
    }, href);
    assert.deepEqual(got, { status: 200, type: "application/zip", magic: "PK" }, name);
  }
  await context.close();
});

/** A job at its outline gate, its segments approved over the API. */
async function atOutline() {
  const job = await transcriptJob(server, admin);
  await api(server, admin, "POST", `/v1/jobs/${job.id}/stages/segment/approve`);
  return until(server, admin, job.id, awaiting("outline"));
}

test("two tabs edit one gate: the second save meets a conflict panel and loses nothing", async () => {
  const job = await atOutline();
  const context = await browser.newContext();
  const first = await signedIn(context);
  const second = await context.newPage();
  const gate = `${server.url}/studio/jobs/${job.id}/stages/outline`;
  await first.goto(gate);
  await second.goto(gate);
  // The first tab renames the first lesson and moves it to the end of module 2.
  await first.fill("input[name='lesson.0.title']", "First tab's title");
  await first.selectOption("select[name='lesson.0.module']", "2");
  await first.fill("input[name='lesson.0.position']", "99");
  await first.click("text=Save the outline");
  await first.locator("text=edit of run 1").waitFor();

  await second.fill("input[name='lesson.0.title']", "Second tab's title");
  await second.click("text=Save the outline");
  await second.locator("#conflict").waitFor();
  assert.match(await second.locator("#conflict").innerText(), /Nothing was overwritten/);
  await shot(second, "conflict");
  await noSeriousViolations(second, "the conflict panel");
  // What is saved now is shown, and the second tab's edit is kept to save again.
  const current = await second.locator("form.outline-editor").first().locator("input[name$='.title']").evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.ok(current.includes("First tab's title"), "the review as it now is");
  const mine = second.locator("section.conflict form.outline-editor");
  assert.equal(await mine.locator("input[name='lesson.0.title']").inputValue(), "Second tab's title");
  await mine.locator("text=Save the outline").click();
  await second.waitForURL(/stages\/outline$/);
  const saved = await until(server, admin, job.id, (j) => stageOf(j, "outline").runs.length === 3);
  const outputs = await Promise.all([1, 2, 3].map((n) => api(server, admin, "GET", `/v1/jobs/${job.id}/stages/outline/runs/${n}`)));
  const [original, firsts, seconds] = outputs.map((o) => o.body);
  const lessonsOf = (outline) => outline.modules.flatMap((m) => m.lessons);
  assert.ok(lessonsOf(firsts).some((l) => l.title === "First tab's title"), "the first edit is still a run");
  // The second edit applies to the run it was made on: its lesson is the
  // one it renamed, whatever the first edit moved meanwhile.
  assert.equal(seconds.modules[0].lessons[0].title, "Second tab's title");
  assert.deepEqual(seconds.modules[0].lessons[0].segments, original.modules[0].lessons[0].segments);
  assert.equal(stageOf(saved, "outline").status, "awaiting_approval");
  await context.close();
});

test("a student sees no controls, and forged posts are refused", async () => {
  const job = await atOutline();
  const context = await browser.newContext();
  const page = await signedIn(context, server.token("sam", "student"));
  assert.equal(await page.locator("a", { hasText: "New job" }).count(), 0);
  await noSeriousViolations(page, "the jobs list");
  const gate = await page.goto(`${server.url}/studio/jobs/${job.id}/stages/outline`);
  assert.equal(gate.status(), 404, "a student may not see another's job");
  assert.equal(await page.locator("form[action*='approve'], form[action*='edit'], form[action*='rerun']").count(), 0);
  await noSeriousViolations(page, "the error page");
  // Posts made by hand, with the session cookie and our own Origin.
  for (const path of [`stages/outline/approve`, `stages/outline/edit`, `stages/outline/rerun`, `abort`]) {
    const status = await page.evaluate(async ([id, path]) => {
      const body = new URLSearchParams({ version: "1", base_run: "1", "lesson.0.title": "forged" });
      return (await fetch(`/studio/jobs/${id}/${path}`, { method: "POST", body })).status;
    }, [job.id, path]);
    assert.equal(status, 403, `POST ${path}`);
  }
  const create = await page.evaluate(async () => (await fetch("/studio/jobs", { method: "POST", body: new FormData() })).status);
  assert.equal(create, 403);
  const still = await api(server, admin, "GET", `/v1/jobs/${job.id}`);
  assert.equal(stageOf(still.body, "outline").runs.length, 1, "nothing changed");
  // And from another site, even an admin's session is refused.
  await signedIn(context);
  const cookie = (await context.cookies()).find((c) => c.name === "coursegen_session");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  const forged = await fetch(`${server.url}/studio/jobs/${job.id}/abort`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: `${cookie.name}=${cookie.value}`, Origin: "http://elsewhere.example", "Content-Type": "application/x-www-form-urlencoded" },
    body: "version=1",
  });
  assert.equal(forged.status, 403);
  assert.equal((await api(server, admin, "GET", `/v1/jobs/${job.id}`)).body.status, "awaiting_approval");
  await context.close();
});

test("a rerun from the form, picking an earlier run and aborting show live on the job page", async () => {
  const job = await transcriptJob(server, admin);
  const context = await browser.newContext();
  const watcher = await signedIn(context);
  await watcher.goto(`${server.url}/studio/jobs/${job.id}`);
  await watcher.evaluate(() => (window.__same_page = true));
  const reviewer = await context.newPage();
  const gate = `${server.url}/studio/jobs/${job.id}/stages/segment`;

  await reviewer.goto(gate);
  await reviewer.click("text=Rerun segment with other parameters");
  await reviewer.fill("#p-min", "45");
  await reviewer.click("button:has-text('Rerun')");
  await until(server, admin, job.id, (j) => awaiting("segment")(j) && stageOf(j, "segment").runs.length === 2);
  const runsCell = watcher.locator("tr", { hasText: "Segment" }).locator("td").nth(2);
  await runsCell.filter({ hasText: "2" }).waitFor({ timeout: 30000 });
  const second = await api(server, admin, "GET", `/v1/jobs/${job.id}`);
  assert.equal(stageOf(second.body, "segment").runs[1].parameters.min_duration_s, 45);

  await reviewer.goto(gate);
  await noSeriousViolations(reviewer, "a gate with two runs");
  await reviewer.selectOption("#approve-run", "1");
  await reviewer.click("button:has-text('Approve')");
  await watcher.locator("tr", { hasText: "Segment" }).locator("td").nth(3).filter({ hasText: "1" }).waitFor({ timeout: 30000 });
  await until(server, admin, job.id, awaiting("outline"));

  await reviewer.goto(`${server.url}/studio/jobs/${job.id}/stages/outline`);
  reviewer.once("dialog", (dialog) => dialog.accept());
  await reviewer.click("button:has-text('Abort the job')");
  await watcher.locator("#job-status", { hasText: "aborted" }).waitFor({ timeout: 30000 });
  assert.equal(await watcher.evaluate(() => window.__same_page), true, "all of it live, without a reload");
  await context.close();
});

test("every page passes axe, and a gate is passed with the keyboard alone", async () => {
  const job = await atOutline();
  const context = await browser.newContext();
  const page = await signedIn(context);
  for (const [path, what] of [
    ["/studio/", "the jobs list"],
    [`/studio/jobs/${job.id}`, "a job at a gate"],
    [`/studio/jobs/${job.id}/stages/segment`, "an approved gate"],
    [`/studio/jobs/${job.id}/stages/segment/diff?a=1&b=1`, "a comparison of runs"],
    [`/studio/jobs/${job.id}/source?from=0&to=20000`, "a source passage"],
  ]) {
    await page.goto(server.url + path);
    await noSeriousViolations(page, what);
  }
  await page.goto(server.url + "/studio/sign-in");
  await noSeriousViolations(page, "the sign-in page");

  // Keyboard only: from the top of the outline gate, tab to the first
  // lesson's title, retype it, tab to its save button, press Enter.
  await page.goto(`${server.url}/studio/jobs/${job.id}/stages/outline`);
  let guard = 0;
  while ((await page.evaluate(() => document.activeElement?.name)) !== "lesson.0.title") {
    await page.keyboard.press("Tab");
    assert.ok(++guard < 200, "the lesson title is reachable by Tab");
  }
  await page.keyboard.press("Control+A");
  await page.keyboard.type("Typed with the keyboard");
  while ((await page.evaluate(() => document.activeElement?.textContent)) !== "Save the outline") {
    await page.keyboard.press("Tab");
    assert.ok(++guard < 400, "the save button is reachable by Tab");
  }
  await page.keyboard.press("Enter");
  await page.locator("text=edit of run 1").waitFor();
  while ((await page.evaluate(() => document.activeElement?.textContent)) !== "Approve") {
    await page.keyboard.press("Tab");
    assert.ok(++guard < 600, "approve is reachable by Tab");
  }
  await page.keyboard.press("Enter");
  const passed = await until(server, admin, job.id, (j) => stageOf(j, "outline").status === "approved");
  assert.equal(stageOf(passed, "outline").approved_run, 2);
  await context.close();
});

test("a file coursegen cannot read is refused before any byte is sent", async () => {
  const context = await browser.newContext();
  const page = await signedIn(context);
  await page.goto(server.url + "/studio/new");
  const puts = [];
  page.on("request", (r) => r.method() === "PUT" && puts.push(r.url()));
  await page.setInputFiles("#file", { name: "slides.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7") });
  await page.click("text=Start the job");
  const said = page.locator(".upload-status [role=status]");
  await said.filter({ hasText: "coursegen reads transcripts" }).waitFor();
  assert.match(await said.textContent(), /^slides\.pdf: coursegen reads/, "the file named once");
  assert.equal(await page.locator(".upload-status progress").isVisible(), false, "no progress for a refusal");
  assert.deepEqual(puts, []);
  assert.match(page.url(), /\/studio\/new$/, "still on the form, to choose another file");
  await context.close();
});

/** A job started from the new-job form with `file`, stopping at no gate. */
async function startUngated(page, file, { storyboard = false } = {}) {
  await page.goto(server.url + "/studio/new");
  await page.setInputFiles("#file", file);
  for (const gate of await page.locator("input[name=gate]").all()) await gate.uncheck();
  if (storyboard) await page.check("input[name=storyboard]");
  await page.click("text=Start the job");
  await page.waitForURL(/\/studio\/jobs\/[0-9A-Z]+$/);
  return page.url().split("/").pop();
}

test("a course script becomes a storyboard with its pictures and films on the job page", async () => {
  const context = await browser.newContext();
  const page = await signedIn(context);
  const id = await startUngated(page, "tests/browser/fixtures/tides.md", { storyboard: true });
  const job = await until(server, admin, id, (j) => j.status !== "running" && j.status !== "queued", 240000);
  assert.equal(job.status, "succeeded", job.error);
  await page.goto(`${server.url}/studio/jobs/${id}`);
  await page.locator("h2", { hasText: "Storyboard" }).waitFor();
  const pictures = page.locator(".frames img");
  assert.ok((await pictures.count()) >= 2, "a picture per frame");
  assert.ok(await pictures.first().evaluate((img) => img.complete && img.naturalWidth > 0), "the picture loads with the session");
  assert.ok((await pictures.first().getAttribute("alt")).length > 0, "described for screen readers");
  const film = page.locator("video").first();
  await film.evaluate((v) => new Promise((resolve, reject) => {
    if (v.readyState >= 1) return resolve();
    v.addEventListener("loadedmetadata", resolve);
    v.addEventListener("error", () => reject(new Error("the film does not load")));
  }));
  assert.ok((await film.evaluate((v) => v.duration)) > 5, "the film plays");
  await page.locator("h2", { hasText: "Storyboard" }).evaluate((h) => h.scrollIntoView());
  await shot(page, "storyboard");
  await noSeriousViolations(page, "a script job's page");
  await context.close();
});

test("an Arabic course reads right to left", async () => {
  const context = await browser.newContext();
  const page = await signedIn(context);
  const id = await startUngated(page, "tests/browser/fixtures/water-cycle.ar.md");
  const job = await until(server, admin, id, (j) => j.status !== "running" && j.status !== "queued", 120000);
  assert.equal(job.status, "succeeded", job.error);
  await page.goto(`${server.url}/studio/jobs/${id}/course`);
  assert.equal(await page.evaluate(() => document.documentElement.dir), "rtl");
  assert.equal(await page.locator("article.course").evaluate((a) => getComputedStyle(a).direction), "rtl");
  assert.match(await page.evaluate(() => document.documentElement.lang), /^ar/);
  await noSeriousViolations(page, "an Arabic course");
  await context.close();
});
