// End-to-end tests of the restore page (web/dist/airvault-recovery.html) in Debian's
// Chromium, opened from file:// with the network off, on backups made by the real
// `airvault` command line; and the other way round, a vault written by the page opened by
// the command line. Run by tests/browser/run.sh (which builds the page and the CLI first).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  AIRVAULT, PAGE, PAGE_URL, VECTORS, cli, cliJson, downloadFrom, launch, loadFile, makeVault,
  clickAndSettle, openPage, pythonShares, recordRanges, reveal, settled, sha256, status, tempDir,
  unlockWithPassword, writeArtifact,
} from "./harness.mjs";

/** The text format the page offers first for a kind, and how to compare it with hex. */
function expectedText(entry, format) {
  const bytes = Buffer.from(entry.hex, "hex");
  switch (format) {
    case "hex": return entry.hex;
    case "text": return bytes.toString("utf8");
    case "base64": return bytes.toString("base64");
    case "base32": return base32(bytes);
    default: throw new Error(format);
  }
}

function base32(bytes) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0, out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** The formats each kind is shown in (web/src/app.js), all checked against the CLI. */
const FORMATS = {
  "symmetric-key": ["hex", "base64"],
  "private-key-pem": ["text"],
  password: ["text", "hex"],
  "totp-seed": ["base32", "hex"],
  opaque: ["hex", "base64"],
};

let browser;
let fx; // the command-line fixture: a vault, its backups and what it holds
const downloads = tempDir("downloads");

before(async () => {
  assert.ok(fs.existsSync(PAGE), `${PAGE} is missing: run web/build.sh`);
  assert.ok(fs.existsSync(AIRVAULT), `${AIRVAULT} is missing: cargo build -p vault-cli`);
  fx = makeVault(tempDir("cli"));
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

/** Asserts every entry version the CLI holds is on the page with its KCV and exact secret. */
async function checkAllSecrets(page, entries) {
  const onPage = await page.$$eval("#entries li.entry", (lis) => lis.map((li) => ({ ...li.dataset })));
  assert.equal(onPage.length, entries.length, "one element per entry version");
  for (const e of entries) {
    const li = onPage.find((x) => x.name === e.name && x.version === String(e.version));
    assert.ok(li, `entry ${e.name} version ${e.version} is listed`);
    assert.equal(li.kcv, e.kcv, `${e.name}: KCV`);
    assert.equal(li.kind, e.kind, `${e.name}: kind`);
    assert.equal(li.status, e.status, `${e.name}: status`);
    for (const format of FORMATS[e.kind]) {
      const text = await reveal(page, li.record, format);
      assert.equal(text, expectedText(e, format), `${e.name} v${e.version} as ${format}`);
    }
  }
}

/** Nothing secret is left anywhere in the DOM or in the console. */
async function assertNoSecretsLeft(page, rec, secrets) {
  const html = await page.content();
  const values = await page.$$eval("input, textarea", (els) => els.map((e) => e.value).join("\n"));
  for (const s of secrets) {
    assert.ok(!html.includes(s), "a secret is left in the DOM");
    assert.ok(!values.includes(s), "a secret is left in a form field");
    assert.ok(!rec.console.join("\n").includes(s), "a secret reached the console");
  }
}

/**
 * Nothing but the page itself and the local blob: URLs of downloads was requested, and
 * nothing had to be blocked.
 */
function assertNoNetwork(rec) {
  const other = [...new Set(rec.cdp)].filter((u) => u !== PAGE_URL);
  assert.ok(other.every((u) => u.startsWith("blob:file://")), `requests: ${other}`);
  assert.deepEqual([...new Set(rec.requests)].filter((u) => u !== PAGE_URL &&
    !u.startsWith("blob:file://")), []);
  assert.deepEqual(rec.aborted, []);
}

describe("the built page", () => {
  it("is one self-contained file within the size budget, with the strict CSP", () => {
    const html = fs.readFileSync(PAGE, "utf8");
    assert.ok(html.length <= 400000, `page is ${html.length} bytes`);
    const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
    assert.ok(csp, "CSP meta tag");
    assert.equal(csp[1], "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; " +
      "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
    assert.ok(!/connect-src/.test(html.split("</head>")[0]));
    assert.ok(!/<(script|img|link|iframe|object|embed)\b[^>]*\s(src|href)=/i.test(html),
      "no element loads another file");
    assert.ok(!/@import|url\(/.test(html.match(/<style>([\s\S]*?)<\/style>/)[1]), "no CSS resource");
  });

  it("shows its version and a fingerprint that the documented sed | sha256sum reproduces", async () => {
    const html = fs.readFileSync(PAGE, "utf8");
    const zeroed = html.replace(/(name="airvault-content-sha256" content=")[0-9a-f]{64}/,
      "$1" + "0".repeat(64));
    const { page, context, rec } = await openPage(browser);
    const shown = await page.textContent("#fingerprint");
    assert.equal(shown, sha256(Buffer.from(zeroed, "utf8")));
    const sed = execFileSync("sh", ["-c",
      `sed -E 's/(name="airvault-content-sha256" content=")[0-9a-f]{64}/\\1${"0".repeat(64)}/' "$0" | sha256sum`,
      PAGE], { encoding: "utf8" });
    assert.equal(sed.split(" ")[0], shown);
    assert.match(await page.textContent("#version"), /^\d+\.\d+\.\d+ \([0-9a-f]{12}(-modified)?\)$/);
    assert.equal(await page.isHidden("#online-warning"), true, "offline: no warning");
    await context.setOffline(false);
    await rec.session.send("Network.emulateNetworkConditions", {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
    });
    await page.waitForSelector("#online-warning", { state: "visible" });
    await context.close();
  });
});

describe("a backup made by the command line", () => {
  it("is checked keylessly, unlocked, and every secret matches — with no network request", async () => {
    const { page, context, rec } = await openPage(browser);
    assert.equal(await loadFile(page, fx.backup), "intact");
    assert.equal(await page.textContent("#backup-fingerprint"), fx.fingerprint);
    assert.match(await page.textContent("#verdict"), /Intact/);
    const s = await unlockWithPassword(page, fx.password);
    assert.equal(s.kind, "ok", s.text);
    assert.equal(s.kdf, "webcrypto");
    assert.equal(await page.inputValue("#password"), "", "the password field is cleared");
    await checkAllSecrets(page, fx.entries);
    // Copying goes to the clipboard and says so, without showing the value.
    const first = await page.$eval("#entries li.entry", (li) => li.dataset.record);
    await page.click(`li.entry[data-record="${first}"] button.copy`);
    await page.waitForFunction(() => /Copied|did not allow/.test(document.querySelector("#status").textContent));
    await assertNoSecretsLeft(page, rec, fx.entries.map((e) => e.hex).concat(["Tr0ub4dor", fx.password]));
    assert.deepEqual(rec.errors, [], "no page error");
    // The whole restore made no request but for the page itself.
    assert.deepEqual([...new Set(rec.cdp)], [PAGE_URL], "requests seen by the DevTools protocol");
    assert.deepEqual([...new Set(rec.requests)], [PAGE_URL], "requests seen by Playwright");
    assert.deepEqual(rec.aborted, []);
    await page.click(`li.entry[data-kind="totp-seed"] button.reveal`);
    writeArtifact("restore-page.png", await page.screenshot({ fullPage: true }));
    await page.click("#lock");
    assert.equal(await page.$$eval("#entries li", (l) => l.length), 0, "lock clears the keys");
    await context.close();
  });

  it("downloads secrets as files, locally, in the formats that fit each kind", async () => {
    const { page, context, rec } = await openPage(browser);
    await loadFile(page, fx.backup);
    await unlockWithPassword(page, fx.password);
    const byName = (n) => fx.entries.find((e) => e.name === n && e.status === "active");
    const pem = byName("signing-key.pem");
    const pemFile = await downloadFrom(page, 'li.entry[data-kind="private-key-pem"] button.download', downloads);
    assert.match(pemFile, /\/signing-key-v1\.pem$/);
    assert.equal(fs.readFileSync(pemFile, "hex"), pem.hex);
    const key = byName("db-master");
    const current = `li.entry[data-name="db-master"][data-status="active"]`;
    const raw = await downloadFrom(page, `${current} button.download-raw`, downloads);
    assert.match(raw, /\/db-master-v2\.bin$/);
    assert.equal(fs.readFileSync(raw, "hex"), key.hex);
    const hexFile = await downloadFrom(page, `${current} button.download`, downloads);
    assert.equal(fs.readFileSync(hexFile, "utf8"), key.hex);
    const totp = byName("totp github");
    const b32 = await downloadFrom(page, 'li.entry[data-kind="totp-seed"] button.download', downloads);
    assert.equal(fs.readFileSync(b32, "utf8"), base32(Buffer.from(totp.hex, "hex")));
    const other = [...new Set(rec.cdp)].filter((u) => u !== PAGE_URL);
    assert.ok(other.every((u) => u.startsWith("blob:file://")), `only local blob URLs: ${other}`);
    assert.deepEqual(rec.aborted, []);
    await context.close();
  });

  it("tells a wrong password from damage", async () => {
    const { page, context } = await openPage(browser);
    assert.equal(await loadFile(page, fx.backup), "intact");
    const s = await unlockWithPassword(page, fx.password + "x");
    assert.equal(s.kind, "error");
    assert.equal(s.code, "wrong_password");
    assert.match(s.text, /Wrong password\. The backup itself is intact/);
    assert.equal(await page.inputValue("#password"), "");
    assert.equal(await page.isHidden("#step-entries"), true);
    await context.close();
  });

  it("shows where a damaged backup is damaged, and still gets every other key out", async () => {
    const dir = tempDir("damaged");
    const bytes = fs.readFileSync(fx.backup);
    const entryRecords = recordRanges(bytes).filter((r) => r.kind === 2);
    const victim = entryRecords[1];
    const damaged = Buffer.from(bytes);
    damaged[victim.start + 40] ^= 0x20;
    const file = path.join(dir, "damaged.airvault");
    fs.writeFileSync(file, damaged);
    // The command line agrees on where.
    const v = cli(["--json", "verify", file]);
    assert.equal(v.status, 5);
    assert.deepEqual(JSON.parse(v.stdout.split("\n")[0]).damaged_records, [victim.index]);

    const { page, context, rec } = await openPage(browser);
    assert.equal(await loadFile(page, file), "damaged");
    const verdict = await page.textContent("#verdict");
    assert.match(verdict, new RegExp(`Record ${victim.index} \\(an entry, version ${victim.seq}\\) is damaged`));
    assert.match(verdict, /airvault salvage/);
    const s = await unlockWithPassword(page, fx.password);
    assert.equal(s.kind, "warn");
    assert.equal(s.code, "partial");
    const lost = await page.$$eval("#lost li", (l) => l.map((x) => ({ ...x.dataset, text: x.textContent })));
    assert.equal(lost.length, 1);
    assert.equal(lost[0].record, String(victim.index));
    assert.equal(lost[0].code, "record_damaged");
    // Every other entry is there and correct.
    const listed = await page.$$eval("#entries li.entry", (l) => l.map((x) => x.dataset.name + " " + x.dataset.version));
    assert.equal(listed.length, fx.entries.length - 1);
    const intact = fx.entries.filter((e) => listed.includes(e.name + " " + e.version));
    await checkAllSecrets(page, intact);
    // Saving needs every record: it refuses and points to salvage.
    await page.fill("#new-password", "n");
    await page.fill("#new-password-confirm", "n");
    await clickAndSettle(page, "#save-vault");
    const saved = await status(page);
    assert.equal(saved.code, "record_damaged");
    assert.match(saved.text, /^No new vault was written: record \d+ of this backup cannot be read/);
    assert.match(saved.text, /salvage/);
    writeArtifact("damaged-backup.png", await page.screenshot({ fullPage: true }));
    assert.deepEqual([...new Set(rec.cdp)], [PAGE_URL]);
    await context.close();
  });

  it("reads a copy whose first header is destroyed, and refuses a cut-off one plainly", async () => {
    const dir = tempDir("headers");
    const bytes = fs.readFileSync(fx.backup);
    const headerLen = bytes.readUInt32LE(12);
    const noHeader = Buffer.from(bytes);
    noHeader.fill(0, 0, headerLen);
    fs.writeFileSync(path.join(dir, "a.airvault"), noHeader);
    fs.writeFileSync(path.join(dir, "cut.airvault"), bytes.subarray(0, headerLen / 2));
    const { page, context } = await openPage(browser);
    assert.equal(await loadFile(page, path.join(dir, "a.airvault")), "damaged");
    assert.match(await page.textContent("#verdict"), /Header copy 1 \(start of the file\) is missing/);
    assert.equal((await unlockWithPassword(page, fx.password)).kind, "ok");
    await checkAllSecrets(page, fx.entries);
    assert.equal(await loadFile(page, path.join(dir, "cut.airvault")), "unreadable");
    assert.equal((await status(page)).code, "truncated");
    assert.equal(await page.isHidden("#step-unlock"), true);
    await context.close();
  });

  it("opens armored text, and names a mistyped line by its number", async () => {
    const text = fs.readFileSync(fx.armored, "utf8");
    const lines = text.split("\n");
    const typoLine = 9; // a data line
    const l = lines[typoLine - 1];
    const at = l.indexOf(":") + 3;
    lines[typoLine - 1] = l.slice(0, at) + (l[at] === "Q" ? "R" : "Q") + l.slice(at + 1);
    const { page, context } = await openPage(browser);
    await page.click("#armor-section summary");
    await page.fill("#armor-input", lines.join("\n"));
    await page.click("#load-armor");
    const s = await status(page);
    assert.equal(s.code, "armor_bad_line");
    assert.match(s.text, new RegExp(`^Line ${typoLine} of the text is mistyped`));
    assert.equal(await page.getAttribute("#armor-input", "data-error-line"), String(typoLine));
    const selected = await page.$eval("#armor-input", (t) => t.value.slice(t.selectionStart, t.selectionEnd));
    assert.equal(selected, lines[typoLine - 1], "the mistyped line is selected");
    writeArtifact("armor-typo.png", await page.screenshot());
    // Typed back correctly (in lower case, as people type): it loads and opens.
    await page.fill("#armor-input", text.toLowerCase().replace(/-----(begin|end) airvault backup-----/g,
      (m) => m.toUpperCase()));
    await page.click("#load-armor");
    await page.waitForSelector("#verdict[data-verdict=intact]");
    assert.equal((await unlockWithPassword(page, fx.password)).kind, "ok");
    await checkAllSecrets(page, fx.entries);
    // An armored file chosen with the file picker is recognised too.
    assert.equal(await loadFile(page, fx.armored), "intact");
    assert.match(await page.textContent("#backup-info"), /armored text/);
    await context.close();
  });

  it("unlocks with the recovery code, and names a mistyped group", async () => {
    const { page, context, rec } = await openPage(browser);
    await loadFile(page, fx.backup);
    await page.click("#recovery-section summary");
    const groups = fx.recoveryCode.split("-");
    const typo = [...groups];
    typo[2] = typo[2].slice(0, 5) + String((Number(typo[2][5]) + 1) % 10);
    await page.fill("#recovery-code", typo.join(" "));
    await clickAndSettle(page, "#unlock-recovery");
    const s = await status(page);
    assert.equal(s.code, "recovery_code_bad_group");
    assert.match(s.text, /^Group 3 of the recovery code is mistyped/);
    await page.fill("#recovery-code", groups.join(" "));
    await clickAndSettle(page, "#unlock-recovery");
    const ok = await status(page);
    assert.equal(ok.kind, "ok", ok.text);
    assert.match(ok.text, /Unlocked with the recovery code/);
    assert.equal(await page.inputValue("#recovery-code"), "");
    await checkAllSecrets(page, fx.entries);
    assertNoNetwork(rec);
    await context.close();
  });

  it("unlocks with SLIP-39 shares made by the reference implementation", async () => {
    const shares = pythonShares(fx.recoveryCode, 2, 3);
    const { page, context, rec } = await openPage(browser);
    await loadFile(page, fx.backup);
    await page.click("#shares-section summary");
    await page.fill("#shares", shares[0]);
    await clickAndSettle(page, "#unlock-shares");
    const few = await status(page);
    assert.equal(few.code, "shares_not_enough");
    assert.match(few.text, /1 more share is needed/);
    await page.fill("#shares", `1. ${shares[2]}\n\n2. ${shares[0]}\n`);
    await clickAndSettle(page, "#unlock-shares");
    const ok = await status(page);
    assert.equal(ok.kind, "ok", ok.text);
    assert.match(ok.text, /recovery shares/);
    await checkAllSecrets(page, fx.entries);
    assertNoNetwork(rec);
    await context.close();
  });
});

describe("a vault written by the page", () => {
  async function saveNewVault(page, newPassword) {
    await page.fill("#new-password", newPassword);
    await page.fill("#new-password-confirm", newPassword);
    const file = await downloadFrom(page, "#save-vault", downloads);
    await settled(page);
    assert.equal((await status(page)).code, "saved");
    assert.equal(await page.inputValue("#new-password"), "");
    return file;
  }

  function checkWithCli(file, newPassword) {
    const pw = path.join(path.dirname(file), "new-password.txt");
    fs.writeFileSync(pw, newPassword + "\n");
    const v = cliJson(["--password-file", pw, "verify", file]);
    assert.equal(v[0].status, "ok");
    for (const e of fx.entries) {
      const got = cliJson(["--vault", file, "--password-file", pw, "get", e.name, "--version",
        String(e.version), "--format", "hex"])[0];
      assert.equal(got.value, e.hex, `airvault get ${e.name} --version ${e.version}`);
      assert.equal(got.kcv, e.kcv);
    }
    // The audit event the page appended extends the vault's hash chain.
    const audit = cli(["--vault", file, "--password-file", pw, "audit", "--verify"]);
    assert.equal(audit.status, 0, audit.stderr);
    // The old password no longer opens it.
    const old = cli(["--vault", file, "--password-file", fx.pwFile, "list"]);
    assert.equal(old.status, 4, "old password: authentication failure");
  }

  it("after a password unlock, opens in the command line with the new password", async () => {
    const { page, context, rec } = await openPage(browser);
    await loadFile(page, fx.backup);
    await unlockWithPassword(page, fx.password);
    const file = await saveNewVault(page, "new pässword for the page");
    assert.match(path.basename(file), /^backup-restored\.airvault$/);
    checkWithCli(file, "new pässword for the page");
    // The page opens it too, and its audit trail records the restore.
    assert.equal(await loadFile(page, file), "intact");
    assert.equal((await unlockWithPassword(page, "new pässword for the page")).kind, "ok");
    assert.equal(await page.getAttribute("#audit", "data-chain"), "valid");
    assert.equal(await page.isHidden("#audit-warning"), true);
    await page.click("#audit summary");
    await page.waitForSelector("#audit-list li");
    const trail = await page.$$eval("#audit-list li", (l) => l.map((x) => x.textContent));
    assert.match(trail.at(-1), / — restore \(restore page\)$/);
    assert.match(trail[0], / — init$/);
    assertNoNetwork(rec);
    await context.close();
  });

  it("after a recovery-code unlock (a lost password), opens in the command line", async () => {
    const { page, context, rec } = await openPage(browser);
    await loadFile(page, fx.backup);
    await page.click("#recovery-section summary");
    await page.fill("#recovery-code", fx.recoveryCode);
    await clickAndSettle(page, "#unlock-recovery");
    const file = await saveNewVault(page, "set after recovery");
    checkWithCli(file, "set after recovery");
    assertNoNetwork(rec);
    await context.close();
  });
});

describe("key derivation", () => {
  it("gives the same keys with the built-in KDF as with WebCrypto", async () => {
    const { page, context } = await openPage(browser, { hash: "#kdf=wasm" });
    await loadFile(page, fx.backup);
    await page.fill("#password", fx.password);
    await page.click("#unlock");
    await page.waitForFunction(() => /%$/.test(document.querySelector("#progress-text").textContent));
    await settled(page);
    const s = await status(page);
    assert.equal(s.kind, "ok", s.text);
    assert.equal(s.kdf, "wasm");
    await checkAllSecrets(page, fx.entries);
    await context.close();
  });

  it("unlocks a default-cost vault through WebCrypto", async () => {
    // Functional only: the page derives the keyslot key with the browser's own PBKDF2 at
    // the real default cost. How long that takes next to bare WebCrypto is measured by
    // bench/compare.sh, not asserted here.
    const slow = makeVault(tempDir("600k"), { iterations: 600000, password: "six hundred thousand" });
    const { page, context } = await openPage(browser);
    await loadFile(page, slow.backup);
    const s = await unlockWithPassword(page, slow.password);
    assert.equal(s.kind, "ok", s.text);
    assert.equal(s.kdf, "webcrypto");
    assert.ok(Number(s.kdfMs) > 0);
    await checkAllSecrets(page, slow.entries);
    await context.close();
  });
});

describe("Argon2id password keyslots", () => {
  it("unlocks an Argon2id backup in wasm, says how long it should take, and still opens by recovery code", async () => {
    const fa = makeVault(tempDir("argon2"), { argon2: ["--memory", "8", "--passes", "1", "--lanes", "1"] });
    const { page, context, rec } = await openPage(browser);
    await loadFile(page, fa.backup);
    assert.match(await page.textContent("#backup-info"), /password \(Argon2id, 8 MiB, 1 pass, 1 lane\)/);
    await page.fill("#password", fa.password);
    await page.click("#unlock");
    // Before the derivation holds the page, it states an estimate of how long it takes.
    await page.waitForFunction(() => /about [0-9.]+ s — an estimate/.test(document.querySelector("#progress-text").textContent));
    await settled(page);
    const s = await status(page);
    assert.equal(s.kind, "ok", s.text);
    assert.equal(s.kdf, "wasm-argon2id");
    assert.ok(Number(s.kdfEstimateMs) > 0 && Number(s.kdfMs) > 0);
    assert.match(s.text, /Argon2id in WebAssembly/);
    // The estimated-progress bar was set to fill over exactly that estimate, and is put
    // away once the derivation is over.
    const bar = await page.$eval("#progress-estimate", (b) => ({
      ms: b.dataset.estimateMs, hidden: b.hidden, running: b.classList.contains("running"),
      duration: b.style.getPropertyValue("--estimate-ms"),
    }));
    assert.equal(bar.ms, s.kdfEstimateMs);
    assert.equal(bar.duration, `${Math.max(Number(s.kdfEstimateMs), 1)}ms`);
    assert.deepEqual([bar.hidden, bar.running], [true, false]);
    await checkAllSecrets(page, fa.entries);
    // A vault saved by the page keeps an Argon2id password keyslot, at least at the default
    // cost, and opens in the command line with the new password.
    await page.fill("#new-password", "set by the page");
    await page.fill("#new-password-confirm", "set by the page");
    const saved = await downloadFrom(page, "#save-vault", tempDir("argon2-saved"));
    await settled(page);
    assert.equal((await status(page)).code, "saved");
    const bytes = fs.readFileSync(saved);
    assert.deepEqual([...bytes.subarray(64, 72)], [1, 2, 4, 3, 0x00, 0x00, 0x04, 0x00]);
    const pw = path.join(path.dirname(saved), "new-password.txt");
    fs.writeFileSync(pw, "set by the page\n");
    assert.equal(cliJson(["--password-file", pw, "verify", saved])[0].status, "ok");
    await context.close();

    const again = await openPage(browser);
    await loadFile(again.page, fa.backup);
    await again.page.click("#recovery-section summary");
    await again.page.fill("#recovery-code", fa.recoveryCode);
    await clickAndSettle(again.page, "#unlock-recovery");
    assert.equal((await status(again.page)).kind, "ok");
    await checkAllSecrets(again.page, fa.entries);
    assertNoNetwork(rec);
    await again.context.close();
  });

  it("unlocks a backup at the default Argon2id cost (256 MiB, 3 passes, 4 lanes)", async () => {
    // Functional only: how long this takes is measured by bench/compare.sh, not asserted.
    const fd = makeVault(tempDir("argon2-default"), { argon2: [], password: "two hundred fifty-six" });
    const { page, context } = await openPage(browser);
    await loadFile(page, fd.backup);
    assert.match(await page.textContent("#backup-info"), /Argon2id, 256 MiB, 3 passes, 4 lanes/);
    const s = await unlockWithPassword(page, fd.password);
    assert.equal(s.kind, "ok", s.text);
    assert.equal(s.kdf, "wasm-argon2id");
    await checkAllSecrets(page, fd.entries);
    await context.close();
  });

  it("refuses hostile Argon2id costs before any work", async () => {
    const { page, context } = await openPage(browser);
    for (const name of ["argon2id-memory-u32-max", "argon2id-passes-above-maximum", "argon2id-lanes-zero"]) {
      const t0 = Date.now();
      assert.equal(await loadFile(page, path.join(VECTORS, name + ".airvault")), "unsupported", name);
      assert.equal((await status(page)).code, "kdf_cost_refused", name);
      assert.ok(Date.now() - t0 < 5000, name);
    }
    await context.close();
  });
});

describe("the page's defences", () => {
  it("cannot reach the network even when script tries", async () => {
    const { page, context, rec } = await openPage(browser);
    const results = await page.evaluate(async () => {
      const out = {};
      const attempt = async (name, f) => {
        try { await f(); out[name] = "allowed"; } catch (e) { out[name] = "blocked"; }
      };
      await attempt("fetch", () => fetch("https://example.com/"));
      await attempt("fetch-file", () => fetch(location.href));
      await attempt("xhr", () => new Promise((resolve, reject) => {
        const x = new XMLHttpRequest();
        x.open("GET", "https://example.com/");
        x.onload = resolve;
        x.onerror = reject;
        x.send();
      }));
      await attempt("websocket", () => new Promise((resolve, reject) => {
        const w = new WebSocket("wss://example.com/");
        w.onopen = resolve;
        w.onerror = reject;
      }));
      await attempt("image", () => new Promise((resolve, reject) => {
        const i = new Image();
        i.onload = resolve;
        i.onerror = reject;
        i.src = "https://example.com/x.png";
      }));
      await attempt("worker", () => new Promise((resolve, reject) => {
        const w = new Worker(URL.createObjectURL(new Blob(["postMessage(1)"])));
        w.onmessage = resolve;
        w.onerror = reject;
      }));
      await attempt("import", () => import("https://example.com/x.js"));
      return out;
    });
    for (const [what, result] of Object.entries(results)) assert.equal(result, "blocked", what);
    const violations = await rec.violations();
    assert.ok(violations.some((v) => v.startsWith("connect-src")), violations.join("; "));
    // Chromium reports the attempts to the DevTools protocol, each failed as blocked by
    // the page's CSP: none was sent.
    const network = [...new Set(rec.cdp.filter((u) => !u.startsWith("file:") && !u.startsWith("blob:")))];
    assert.deepEqual(network.sort(), ["https://example.com/", "https://example.com/x.js",
      "https://example.com/x.png"]);
    for (const url of network) assert.equal(rec.blocked[url], "csp", `${url} blocked by the CSP`);
    assert.deepEqual(rec.aborted, [], "nothing even reached the test's network block");
    await context.close();
  });

  it("wipes the secret arrays the page hands to the wasm module", async () => {
    const { page, context } = await openPage(browser);
    const wiped = await page.evaluate((code) => {
      const wb = wasm_bindgen; // eslint-disable-line no-undef
      const key = new Uint8Array(32).fill(7);
      wb.SlotKey.fromBytes(key).free();
      const password = new TextEncoder().encode("a password");
      new wb.KdfJob(password, new Uint8Array(32), 100000).free();
      const typed = new TextEncoder().encode(code);
      const secret = wb.parseRecoveryCode(typed);
      const shares = new TextEncoder().encode("not a share");
      try { wb.combineShares(shares); } catch (_) { /* expected */ }
      const zero = (a) => a.every((b) => b === 0);
      return { key: zero(key), password: zero(password), code: zero(typed),
        shares: zero(shares), secretLength: secret.length };
    }, fx.recoveryCode);
    assert.deepEqual(wiped, { key: true, password: true, code: true, shares: true, secretLength: 16 });
    await context.close();
  });

  it("warns when a vault's audit trail has been edited", async () => {
    const { page, context } = await openPage(browser);
    await loadFile(page, path.join(VECTORS, "audit-event-edited.airvault"));
    assert.equal((await unlockWithPassword(page, "correct horse battery staple")).kind, "ok");
    assert.equal(await page.getAttribute("#audit", "data-chain"), "link");
    assert.match(await page.textContent("#audit-warning"), /^Warning: the audit trail does not verify/);
    await context.close();
  });

  it("refuses files it cannot read, in plain words", async () => {
    const { page, context } = await openPage(browser);
    assert.equal(await loadFile(page, path.join(VECTORS, "version-3.airvault")), "unsupported");
    assert.match((await status(page)).text, /Unsupported version: this backup was written by a newer airvault/);
    assert.equal(await loadFile(page, path.join(VECTORS, "not-a-vault.airvault")), "not-a-vault");
    assert.match((await status(page)).text, /not an airvault backup/);
    assert.equal(await loadFile(page, path.join(VECTORS, "iterations-u32-max.airvault")), "unsupported");
    assert.equal((await status(page)).code, "kdf_cost_refused");
    await context.close();
  });
});
