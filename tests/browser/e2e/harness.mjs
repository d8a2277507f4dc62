// Shared machinery of the restore page's end-to-end tests: the built page, the `airvault`
// command line that makes the backups, and a Chromium that runs offline and records every
// request it sees through the DevTools protocol.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const PAGE = path.join(ROOT, "web/dist/airvault-recovery.html");
export const PAGE_URL = pathToFileURL(PAGE).href;
export const ARTIFACTS = path.join(ROOT, "tests/browser/artifacts");
export const VECTORS = path.join(ROOT, "tests/vectors");
// The debug `airvault` in cargo's target directory (CARGO_TARGET_DIR or build.target-dir
// honoured: asked of cargo), unless AIRVAULT_BIN names one.
export const AIRVAULT = process.env.AIRVAULT_BIN || path.join(cargoTargetDir(), "debug/airvault");

function cargoTargetDir() {
  const out = execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out).target_directory;
}

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-dev-shm-usage",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

export function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

export function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), "airvault-e2e-" + name + "-"));
}

// ---- The command line --------------------------------------------------------------------

/** Runs `airvault ARGS…`; returns {status, stdout, stderr}. */
export function cli(args, { input } = {}) {
  const r = spawnSync(AIRVAULT, args, { input, encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `airvault --json ARGS…`, which must succeed; returns the JSON objects printed. */
export function cliJson(args, opts) {
  const r = cli(["--json", ...args], opts);
  if (r.status !== 0) {
    throw new Error(`airvault ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  }
  return r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * Makes a vault with the command line, with one entry of every kind (binary, Unicode and
 * PEM secrets among them), and writes a binary and an armored backup of it. Returns what
 * the command line says each entry holds (secret as hex), the recovery code and the paths.
 */
export function makeVault(dir, { iterations = 100000, password = "correct horse ✓ battery", argon2 = null } = {}) {
  const pwFile = path.join(dir, "password.txt");
  fs.writeFileSync(pwFile, password + "\n");
  const vault = path.join(dir, "vault.airvault");
  const base = ["--vault", vault, "--password-file", pwFile];
  // `argon2`: null for a PBKDF2 password keyslot of `iterations`; else the Argon2id options
  // of `init` (an empty list for its default cost). The recovery keyslot is PBKDF2 always.
  const kdf = argon2 === null ? ["--iterations", String(iterations)] : ["--kdf", "argon2id", ...argon2];
  const init = cliJson([...base, "init", ...kdf])[0];
  const pem = path.join(dir, "key.pem");
  const gen = spawnSync("openssl", ["genpkey", "-algorithm", "ed25519", "-out", pem]);
  if (gen.status !== 0) {
    fs.writeFileSync(pem, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n");
  }
  const blob = path.join(dir, "blob.bin");
  fs.writeFileSync(blob, Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x3c, 0x2f, 0x73, 0x63, 0x72, 0x69, 0x70, 0x74, 0x3e]));
  const raw16 = path.join(dir, "raw16.bin");
  fs.writeFileSync(raw16, Buffer.from("000102030405060708090a0b0c0d0e0f", "hex"));
  cliJson([...base, "add", "root password", "--kind", "password", "--stdin"], {
    input: "Tr0ub4dor&3 ünïcødé ✓ <b>&amp;\n",
  });
  cliJson([...base, "add", "signing-key.pem", "--kind", "private-key-pem", "--from-file", pem]);
  cliJson([...base, "generate", "db-master"]);
  cliJson([...base, "rotate", "db-master"]); // version 1 is kept, retired
  cliJson([...base, "generate", "totp github", "--kind", "totp-seed", "--bytes", "20"]);
  cliJson([...base, "add", "opaque <blob>", "--kind", "opaque", "--from-file", blob]);
  cliJson([...base, "add", "Ünïcødé ✓ key", "--kind", "symmetric-key", "--from-file", raw16]);
  // Every version of every entry, as `airvault get` gives it.
  const entries = [];
  for (const e of cliJson([...base, "list"])) {
    for (let v = 1; v <= e.versions; v++) {
      const got = cliJson([...base, "get", e.name, "--version", String(v), "--format", "hex"])[0];
      entries.push({
        name: e.name, kind: e.kind, version: v, kcv: got.kcv, hex: got.value,
        status: v === e.version ? "active" : "retired",
      });
    }
  }
  const backup = path.join(dir, "backup.airvault");
  const armored = path.join(dir, "backup.asc");
  const b = cliJson([...base, "backup", "--out", backup])[0];
  cliJson([...base, "backup", "--out", armored, "--armor"]);
  return {
    dir, vault, pwFile, password, iterations, recoveryCode: init.recovery_code,
    entries, backup, armored, fingerprint: b.fingerprint,
  };
}

// ---- The browser -------------------------------------------------------------------------

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Opens the page from file:// in a new offline context. Every request the browser makes
 * is recorded twice — through the DevTools protocol (Network.requestWillBeSent) and
 * Playwright's request event — and anything other than a local file is aborted. Console
 * messages, page errors and CSP violations are recorded too.
 */
export async function openPage(browser, { hash = "", downloadsDir } = {}) {
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1100, height: 900 },
  });
  await context.setOffline(true);
  const rec = {
    cdp: [], blocked: {}, requests: [], aborted: [], console: [], errors: [], violations: [],
  };
  await context.route(/.*/, (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    rec.aborted.push(url);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const session = await context.newCDPSession(page);
  await session.send("Network.enable");
  const urls = {};
  session.on("Network.requestWillBeSent", (e) => {
    urls[e.requestId] = e.request.url;
    rec.cdp.push(e.request.url);
  });
  session.on("Network.loadingFailed", (e) => {
    const url = urls[e.requestId];
    rec.blocked[url] = e.blockedReason || e.errorText;
  });
  session.on("Network.webSocketCreated", (e) => rec.cdp.push(e.url));
  // Enabling the Network domain on a second session drops Playwright's offline emulation:
  // set it on this session too.
  await session.send("Network.emulateNetworkConditions", {
    offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  page.on("request", (r) => rec.requests.push(r.url()));
  page.on("console", (m) => rec.console.push(m.type() + ": " + m.text()));
  page.on("pageerror", (e) => rec.errors.push(String(e)));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window.__cspViolations ||= []).push(e.violatedDirective + " " + e.blockedURI);
    });
  });
  await page.goto(PAGE_URL + hash);
  rec.session = session;
  await page.waitForSelector("body[data-ready=true]");
  rec.violations = () => page.evaluate(() => window.__cspViolations || []);
  return { context, page, rec, downloadsDir };
}

/** Loads a backup file through the file picker and waits for the keyless verdict. */
export async function loadFile(page, file) {
  await page.setInputFiles("#backup-file", file);
  await page.waitForFunction(() => document.querySelector("#verdict").dataset.verdict !== "" ||
    document.querySelector("#status").dataset.kind === "error");
  return page.$eval("#verdict", (v) => v.dataset.verdict);
}

/** The status line: {kind, code, text, …data attributes}. */
export async function status(page) {
  return page.$eval("#status", (s) => ({ ...s.dataset, text: s.textContent }));
}

/** Waits until no unlock or save is under way. */
export async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.busy !== "true", null, { polling: 100 });
}

/**
 * Clicks `selector` and waits until the unlock or save it starts has finished
 * (`body[data-busy]` goes back to "false"). Waits with a MutationObserver rather than by
 * polling, so that the wait takes no CPU time from the work it waits for.
 */
export async function clickAndSettle(page, selector) {
  const done = page.evaluate(() => new Promise((resolve) => {
    let started = false;
    const observer = new MutationObserver(() => {
      if (document.body.dataset.busy === "true") started = true;
      if (started && document.body.dataset.busy === "false") {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe(document.body, { attributes: true, attributeFilter: ["data-busy"] });
    // An attempt refused before any work (a mistyped code) never becomes busy.
    setTimeout(() => { if (!started) { observer.disconnect(); resolve(); } }, 1000);
  }));
  await page.click(selector);
  await done;
}

export async function unlockWithPassword(page, password) {
  await page.fill("#password", password);
  await clickAndSettle(page, "#unlock");
  return status(page);
}

/** Reveals entry version `record` in `format`, returns the text, and hides it again. */
export async function reveal(page, record, format) {
  const entry = `li.entry[data-record="${record}"]`;
  await page.selectOption(`${entry} select.format`, format);
  await page.click(`${entry} button.reveal`);
  const text = await page.$eval(`${entry} pre.secret-value`, (p) => p.textContent);
  await page.click(`${entry} button.reveal`);
  const after = await page.$eval(`${entry} pre.secret-value`, (p) => [p.hidden, p.textContent]);
  if (!after[0] || after[1] !== "") throw new Error("a hidden secret is still in the DOM");
  return text;
}

/** Clicks `selector` and saves the download it starts into `dir`; returns the file's path. */
export async function downloadFrom(page, selector, dir) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return file;
}

/** Offsets of the records of a vault file (docs/FORMAT.md), for damaging one on purpose. */
export function recordRanges(bytes) {
  const b = Buffer.from(bytes);
  const headerLen = b.readUInt32LE(12);
  const slots = b.readUInt16LE(48);
  const records = b.readUInt32LE(52);
  const ranges = [];
  let at = headerLen;
  for (let i = 0; i < records; i++) {
    const t = 64 + 136 * slots + 64 * i;
    const len = b.readUInt32LE(t + 4);
    ranges.push({ index: i, kind: b[t], seq: b.readUInt32LE(t + 24), start: at, end: at + len });
    at += len;
  }
  return ranges;
}

export function writeArtifact(name, data) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  fs.writeFileSync(file, data);
  return file;
}

export function pythonShares(recoveryCode, threshold, count) {
  // The recovery secret from its code (docs/FORMAT.md): group i is 11·v + i.
  const groups = recoveryCode.split("-").map(Number);
  const secret = Buffer.alloc(16);
  groups.forEach((d, i) => secret.writeUInt16BE((d - i) / 11, 2 * i));
  const script = "import sys, json, shamir_mnemonic as sm\n" +
    "s = bytes.fromhex(sys.argv[1])\n" +
    "print(json.dumps(sm.generate_mnemonics(1, [(int(sys.argv[2]), int(sys.argv[3]))], s)[0]))";
  const out = execFileSync("python3", ["-c", script, secret.toString("hex"), String(threshold),
    String(count)], { encoding: "utf8" });
  return JSON.parse(out);
}
