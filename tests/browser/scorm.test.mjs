// SCORM packages in a browser with an LMS: scorm-again (pinned, installed
// by scripts/test) plays the LMS's API in a host page, and the package's
// SCOs run in its iframe (or, once, in a popup) exactly as an LMS serves
// them. For SCORM 1.2 and 2004: a lesson reports completion; the
// assessment answered right reports its score and then passed, answered
// wrong failed; a suspended attempt resumes where it left off.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";

import { BIN, launch, seriousViolations } from "./harness.mjs";

const tools = process.env.COURSEGEN_NODE_TOOLS || "target/tools";
const LMS = {
  "1.2": { format: "scorm12", script: "scorm12.min.js", global: "Scorm12API", api: "API" },
  "2004": { format: "scorm2004", script: "scorm2004.min.js", global: "Scorm2004API", api: "API_1484_11" },
};
const FIXTURE = "tests/browser/fixtures/scorm-course.json";
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".xml": "application/xml" };

let work, server, origin, browser;

/** The fixture exported as `format` with `args`, unpacked under /pkg/`name`/. */
function unpack(name, format, args = []) {
  const zip = join(work, `${name}.zip`);
  execFileSync(BIN, ["export", FIXTURE, "--format", format, "--out", zip, ...args], { stdio: "pipe" });
  execFileSync("python3", ["-m", "zipfile", "-e", zip, join(work, "pkg", name)]);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "coursegen-scorm-"));
  for (const [version, lms] of Object.entries(LMS)) {
    unpack(version, lms.format);
    unpack(`${version}-single`, lms.format, ["--sco", "single"]);
  }
  unpack("1.2-completed", "scorm12", ["--reporting", "completed-incomplete"]);
  const dist = resolve(tools, "node_modules/scorm-again/dist");
  server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    let file = null;
    if (path === "/host.html") {
      response.writeHead(200, { "content-type": TYPES[".html"] });
      return response.end("<!doctype html><html lang=en><title>LMS</title><body></body></html>");
    }
    if (path.startsWith("/lms/")) file = join(dist, normalize(path.slice(5)));
    if (path.startsWith("/pkg/")) file = join(work, "pkg", normalize(path.slice(5)));
    if (!file || !existsSync(file)) {
      response.writeHead(404);
      return response.end();
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
    response.end(readFileSync(file));
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A host page playing the LMS for `version` (loaded with `cmi`, as an LMS
 * hands a resumed attempt its data), and the SCO at `href` in its iframe
 * (or a popup). Every value the SCO sets is logged in order. */
async function launchSco(version, href, { cmi = null, popup = false } = {}) {
  const lms = LMS[version];
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${origin}/host.html`);
  await page.addScriptTag({ url: `${origin}/lms/${lms.script}` });
  await page.evaluate(({ lms, cmi }) => {
    const api = new window[lms.global]({ logLevel: 5, autocommit: false });
    if (cmi) api.loadFromJSON(cmi, "");
    window.sets = [];
    const setter = lms.api === "API" ? "LMSSetValue" : "SetValue";
    const set = api[setter].bind(api);
    api[setter] = (key, value) => {
      const ok = set(key, value);
      window.sets.push([key, value, ok]);
      return ok;
    };
    window[lms.api] = api;
  }, { lms, cmi });
  let sco;
  if (popup) {
    [sco] = await Promise.all([page.waitForEvent("popup"), page.evaluate((url) => window.open(url, "sco"), `${origin}/pkg/${href}`)]);
    await sco.waitForLoadState();
    sco.on("pageerror", (e) => problems.push(e.message));
  } else {
    await page.evaluate((url) => {
      const frame = document.createElement("iframe");
      frame.src = url;
      frame.style.cssText = "width:100%;height:90vh;border:0";
      document.body.append(frame);
    }, `${origin}/pkg/${href}`);
    await page.waitForSelector("iframe");
    sco = page.frameLocator("iframe");
  }
  await sco.locator("#lms-status").filter({ hasText: "recorded by your learning system" }).waitFor();
  return { page, sco, problems, lms };
}

/** The LMS's record: every cmi value, and what the SCO set, in order. */
async function record({ page, lms }) {
  return page.evaluate((name) => ({ cmi: window[name].renderCMIToJSONObject().cmi, sets: window.sets }), lms.api);
}

/** The player's data of the SCO shown. */
async function scoData(sco) {
  return JSON.parse(await sco.locator("#coursegen-sco").textContent());
}

/** Answers the question shown, right or wrong, as a learner would. */
async function answer(sco, q, right) {
  const box = sco.locator("section.part:not([hidden]) .question").first();
  const choices = box.locator("input[type=radio], input[type=checkbox]");
  switch (q.type) {
    case "single": {
      const pick = q.options.findIndex((o) => o.correct === right);
      return choices.nth(pick).check();
    }
    case "multi":
      for (const [i, o] of q.options.entries()) if (o.correct === right) await choices.nth(i).check();
      return;
    case "tf":
      return choices.nth(q.answer === right ? 0 : 1).check();
    case "numeric":
      return box.locator("input").fill(right ? String((q.min + q.max) / 2) : String(q.max + 100));
    case "text":
      return box.locator("input").fill(right ? q.accepted[0].toUpperCase() + " " : "zzz");
    case "order": {
      if (!right) return; // it starts in an order that is never the right one
      for (let target = 0; target < q.items.length; target++) {
        const shown = await box.locator(".order li span").allTextContents();
        for (let at = shown.indexOf(q.items[target]); at > target; at--) {
          await box.locator(".order li").nth(at).locator("button").first().click();
        }
      }
      return;
    }
    default:
      return box.locator("textarea").fill(right ? "The earth turns under two bulges." : "I do not know.");
  }
}

/** Answers the assessment's questions from `from` on, then submits. */
async function takeAssessment(sco, right, from = 0) {
  const questions = (await scoData(sco)).parts.find((p) => p.kind === "assessment").questions;
  for (let i = from; i < questions.length; i++) {
    await sco.getByText(`Question ${i + 1} of ${questions.length}`).waitFor();
    await answer(sco, questions[i], typeof right === "function" ? right(i) : right);
    await sco.getByRole("button", { name: i + 1 < questions.length ? "Next" : "Submit answers" }).click();
  }
  return questions;
}

const order = (sets, key) => sets.findIndex(([k]) => k === key);

for (const version of ["1.2", "2004"]) {
  const v12 = version === "1.2";

  test(`SCORM ${version}: a lesson reports its exercises and then completion`, async () => {
    const run = await launchSco(version, `${version}/m1-l1/index.html`);
    const { sco } = run;
    const exercise = (await scoData(sco)).parts[0].exercises[0];
    await answer(sco, exercise, true);
    await sco.getByRole("button", { name: "Check" }).first().click();
    await sco.getByText("Correct.").waitFor();
    await sco.getByText("Its pull raises a bulge of water.").waitFor();
    await sco.getByRole("button", { name: "Finish lesson" }).click();
    await sco.getByText("Lesson complete.").waitFor();
    const { cmi } = await record(run);
    if (v12) {
      assert.equal(cmi.core.lesson_status, "completed");
      assert.equal(cmi.core.exit, "");
      assert.equal(cmi.interactions["0"].id, exercise.iid);
      assert.equal(cmi.interactions["0"].result, "correct");
      assert.equal(cmi.interactions["0"].student_response, "b");
    } else {
      assert.equal(cmi.completion_status, "completed");
      assert.equal(cmi.success_status, "unknown");
      assert.equal(cmi.exit, "normal");
      assert.equal(cmi.interactions["0"].learner_response, "o2");
      assert.equal(cmi.interactions["0"].result, "correct");
    }
    assert.deepEqual(run.problems, []);
    await run.page.close();
  });

  test(`SCORM ${version}: the assessment answered right reports its score, then passed`, async () => {
    const run = await launchSco(version, `${version}/assessment/index.html`);
    const questions = await takeAssessment(run.sco, true);
    await run.sco.getByText("Your score: 100%. Passed.").waitFor();
    const { cmi, sets } = await record(run);
    const interactions = Object.values(cmi.interactions);
    assert.equal(interactions.length, questions.length);
    const results = interactions.map((i) => i.result);
    assert.deepEqual(results, questions.map((q) => (q.type === "essay" ? "neutral" : "correct")));
    if (v12) {
      assert.equal(cmi.core.score.raw, "100");
      assert.equal(cmi.core.score.max, "100");
      assert.equal(cmi.core.lesson_status, "passed");
      const score = order(sets, "cmi.core.score.raw");
      assert.ok(score >= 0 && score < sets.findLastIndex(([k, v]) => k === "cmi.core.lesson_status" && v === "passed"));
      assert.equal(interactions.find((i) => i.type === "sequencing").student_response, "a,b,c");
    } else {
      assert.equal(cmi.score.scaled, "1");
      assert.equal(cmi.score.raw, "10");
      assert.equal(cmi.score.max, "10");
      assert.equal(cmi.success_status, "passed");
      assert.equal(cmi.completion_status, "completed");
      assert.ok(order(sets, "cmi.score.scaled") < order(sets, "cmi.success_status"));
      assert.ok(order(sets, "cmi.success_status") < sets.findLastIndex(([k]) => k === "cmi.completion_status"));
      assert.equal(interactions.find((i) => i.type === "numeric").learner_response, "12.4");
      assert.equal(interactions.find((i) => i.type === "sequencing").learner_response, "i1[,]i2[,]i3");
    }
    assert.ok(sets.every(([, , ok]) => String(ok) === "true"), JSON.stringify(sets.filter(([, , ok]) => String(ok) !== "true")));
    await run.sco.getByRole("button", { name: "Finish" }).click();
    const exit = (await record(run)).cmi;
    assert.equal(v12 ? exit.core.exit : exit.exit, v12 ? "" : "normal");
    assert.deepEqual(run.problems, []);
    await run.page.close();
  });

  test(`SCORM ${version}: the assessment answered wrong reports failed`, async () => {
    const run = await launchSco(version, `${version}/assessment/index.html`);
    await takeAssessment(run.sco, false);
    await run.sco.getByText("Your score: 0%. Not passed yet.").waitFor();
    const { cmi } = await record(run);
    if (v12) {
      assert.equal(cmi.core.score.raw, "0");
      assert.equal(cmi.core.lesson_status, "failed");
    } else {
      assert.equal(cmi.score.scaled, "0");
      assert.equal(cmi.success_status, "failed");
    }
    assert.ok(Object.values(cmi.interactions).some((i) => i.result === (v12 ? "wrong" : "incorrect")));
    await run.page.close();
  });

  test(`SCORM ${version}: a suspended attempt resumes where it left off`, async () => {
    const first = await launchSco(version, `${version}/assessment/index.html`);
    const questions = (await scoData(first.sco)).parts[0].questions;
    // Two questions answered, the third shown: then the learner leaves.
    for (let i = 0; i < 2; i++) {
      await answer(first.sco, questions[i], true);
      await first.sco.getByRole("button", { name: "Next" }).click();
    }
    await first.sco.getByText(`Question 3 of ${questions.length}`).waitFor();
    await first.sco.getByRole("button", { name: "Save and exit" }).click();
    await first.sco.getByText("Your place is saved.").waitFor();
    const saved = (await record(first)).cmi;
    const location = v12 ? saved.core.lesson_location : saved.location;
    assert.equal(v12 ? saved.core.exit : saved.exit, "suspend");
    assert.equal(location, "0:2");
    assert.ok(saved.suspend_data.length > 0 && saved.suspend_data.length <= (v12 ? 4096 : 64000));
    await first.page.close();

    // The LMS hands the next session what was saved, as a resumed attempt.
    const cmi = v12
      ? { core: { entry: "resume", lesson_status: saved.core.lesson_status, lesson_location: location }, suspend_data: saved.suspend_data }
      : { entry: "resume", completion_status: saved.completion_status, location, suspend_data: saved.suspend_data };
    const second = await launchSco(version, `${version}/assessment/index.html`, { cmi });
    await second.sco.getByText(`Question 3 of ${questions.length}`).waitFor();
    await second.sco.getByRole("button", { name: "Previous" }).click();
    const multi = second.sco.locator(".question input[type=checkbox]");
    assert.deepEqual(
      await Promise.all((await multi.all()).map((box) => box.isChecked())),
      questions[1].options.map((o) => o.correct),
    );
    await second.sco.getByRole("button", { name: "Next" }).click();
    // Only the rest are answered now: the first two were kept.
    await takeAssessment(second.sco, true, 2);
    await second.sco.getByText("Your score: 100%. Passed.").waitFor();
    assert.deepEqual(second.problems, []);
    await second.page.close();
  });
}

test("SCORM 1.2: a SCO opened in a popup finds the LMS through its opener", async () => {
  const run = await launchSco("1.2", "1.2/m2-l1/index.html", { popup: true });
  await run.sco.getByRole("button", { name: "Finish lesson" }).click();
  await run.sco.getByText("Lesson complete.").waitFor();
  assert.equal((await record(run)).cmi.core.lesson_status, "completed");
  assert.deepEqual(run.problems, []);
  await run.page.close();
});

test("SCORM 2004 single SCO: lessons then the assessment complete and pass the course", async () => {
  const run = await launchSco("2004", "2004-single/course/index.html");
  const { sco } = run;
  await sco.getByRole("navigation").getByRole("button", { name: "How waves form" }).waitFor();
  await sco.getByRole("button", { name: "Done: next" }).click();
  await sco.getByRole("heading", { name: "How waves form" }).waitFor();
  let { cmi } = await record(run);
  assert.equal(cmi.completion_status, "incomplete");
  assert.equal(cmi.progress_measure, "0.3333");
  await sco.getByRole("button", { name: "Done: next" }).click();
  await takeAssessment(sco, (i) => i !== 0); // one question of 2 points wrong: 80 %
  await sco.getByText("Your score: 80%. Passed.").waitFor();
  ({ cmi } = await record(run));
  assert.equal(cmi.score.scaled, "0.8");
  assert.equal(cmi.success_status, "passed");
  assert.equal(cmi.completion_status, "completed");
  assert.equal(cmi.progress_measure, "1");
  assert.deepEqual(run.problems, []);
  await run.page.close();
});

test("a SCO without an LMS still teaches, says nothing is recorded, and passes axe", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  for (const href of ["1.2/m1-l1/index.html", "2004/assessment/index.html", "2004-single/course/index.html"]) {
    await page.goto(`${origin}/pkg/${href}`);
    await page.getByText("Not connected to a learning system").waitFor();
    assert.equal(await page.locator("#save-exit").isVisible(), false);
    assert.deepEqual(await seriousViolations(page), [], href);
  }
  // Checking an answer works without an LMS too.
  await page.goto(`${origin}/pkg/1.2/m1-l1/index.html`);
  await page.getByRole("button", { name: "Check" }).first().click();
  await page.getByText("Not quite.").waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test("SCORM 1.2 reported as completed/incomplete: a fail stays incomplete and suspends, a pass completes", async () => {
  const failing = await launchSco("1.2", "1.2-completed/assessment/index.html");
  await takeAssessment(failing.sco, false);
  await failing.sco.getByText("Not passed yet.").waitFor();
  assert.equal((await record(failing)).cmi.core.lesson_status, "incomplete");
  await failing.sco.getByRole("button", { name: "Finish" }).click();
  assert.equal((await record(failing)).cmi.core.exit, "suspend", "the attempt is not over");
  await failing.page.close();
  const passing = await launchSco("1.2", "1.2-completed/assessment/index.html");
  await takeAssessment(passing.sco, true);
  await passing.sco.getByText("Passed.").waitFor();
  const { cmi } = await record(passing);
  assert.equal(cmi.core.lesson_status, "completed");
  assert.equal(cmi.core.score.raw, "100");
  await passing.page.close();
});

test("SCORM 1.2: suspend data stays within 4,096 characters, the longest answer giving way", async () => {
  const run = await launchSco("1.2", "1.2/assessment/index.html");
  const questions = (await scoData(run.sco)).parts[0].questions;
  for (let i = 0; i + 1 < questions.length; i++) {
    await answer(run.sco, questions[i], true);
    await run.sco.getByRole("button", { name: "Next" }).click();
  }
  // The essay, last, runs past what 1.2 can hold.
  await run.sco.locator("textarea").fill("Tides. ".repeat(800));
  await run.sco.getByRole("button", { name: "Save and exit" }).click();
  await run.sco.getByText("Your place is saved.").waitFor();
  const { cmi, sets } = await record(run);
  assert.ok(cmi.suspend_data.length <= 4096, `${cmi.suspend_data.length}`);
  const saved = JSON.parse(cmi.suspend_data);
  assert.equal(saved.a[`0.${questions.length - 1}`], undefined, "the essay gave way");
  assert.equal(Object.keys(saved.a).length, questions.length - 1, "every other answer kept");
  assert.ok(sets.filter(([k]) => k === "cmi.suspend_data").every(([, , ok]) => String(ok) === "true"));
  await run.page.close();
});
