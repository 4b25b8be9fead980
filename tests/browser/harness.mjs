// What the studio's browser tests share: a real `coursegen serve` on a
// free port of 127.0.0.1 with its own data directory, Debian's chromium
// driven by playwright-core, tokens from `coursegen token`, and axe-core.
// scripts/test installs the pinned packages into target/tools and passes
// their place (COURSEGEN_NODE_TOOLS) and the binary (COURSEGEN_BIN).
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const tools = process.env.COURSEGEN_NODE_TOOLS || "target/tools";
const require = createRequire(resolve(tools, "node_modules") + "/");
const { chromium } = require("playwright-core");
export const BIN = process.env.COURSEGEN_BIN || "target/debug/coursegen";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** A `coursegen serve` of its own (with `args` besides); resolves once it
 * printed its links. */
export async function startServer(args = []) {
  const data = mkdtempSync(join(tmpdir(), "coursegen-studio-"));
  const child = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data", data, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const found = {};
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("serve printed no links:\n" + stderr)), 30000);
    child.on("exit", (code) => reject(new Error(`serve exited ${code}:\n${stderr}`)));
    lines.on("line", (line) => {
      const api = line.match(/^coursegen API on (http:\/\/\S+)$/);
      const studio = line.match(/^coursegen studio on (http:\/\/\S+)$/);
      if (api) found.url = api[1];
      if (studio) found.signIn = studio[1];
      if (found.url && found.signIn) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    ...found,
    data,
    token(sub, role, course) {
      const args = ["token", "--sub", sub, "--data", data];
      if (role) args.push("--role", role);
      if (course) args.push("--course", course);
      return execFileSync(BIN, args, { encoding: "utf8" }).trim();
    },
    async stop() {
      child.kill("SIGINT");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}

/** The REST API as `token`'s holder. */
export async function api(server, token, method, path, body) {
  const response = await fetch(server.url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, etag: response.headers.get("etag") };
}

/** Polls the job until `done(job)`, up to `ms`. */
export async function until(server, token, id, done, ms = 60000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const { body } = await api(server, token, "GET", `/v1/jobs/${id}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`job ${id} never got there: ${JSON.stringify(body.stages.map((s) => [s.stage, s.status]))}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export const stageOf = (job, name) => job.stages.find((s) => s.stage === name);
export const awaiting = (name) => (job) => stageOf(job, name).status === "awaiting_approval";

/** A transcript job made over the API, held at its first gate. */
export async function transcriptJob(server, token, file = "examples/lecture/lecture.en.vtt") {
  const bytes = readFileSync(file);
  const grant = await api(server, token, "POST", "/v1/uploads", { kind: "transcript", format: "vtt", size: bytes.length });
  if (grant.status !== 201) throw new Error("upload grant: " + JSON.stringify(grant.body));
  const put = await fetch(grant.body.url, { method: grant.body.method, headers: grant.body.headers, body: bytes });
  if (!put.ok) throw new Error("upload: " + (await put.text()));
  const created = await api(server, token, "POST", "/v1/jobs", {
    course: { course_id: "local", version_id: "v1" },
    source: { kind: "transcript", upload_key: grant.body.upload_key, format: "vtt" },
  });
  if (created.status !== 201) throw new Error("create: " + JSON.stringify(created.body));
  return until(server, token, created.body.id, awaiting("segment"));
}

const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical findings on the page as it is. */
export async function seriousViolations(page) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
