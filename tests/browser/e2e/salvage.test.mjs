// The restore page salvages: two copies of one vault, each damaged in a different place,
// dropped on the page together and unlocked once, give every intact entry version — the
// same ones, with the same check values, from the same files, as `airvault salvage` on
// the same files — the same list of what was lost, and a new vault file whose every secret
// matches the command line's salvaged vault. Run by tests/browser/run.sh.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  AIRVAULT, PAGE, cli, cliJson, clickAndSettle, downloadFrom, launch, makeVault, openPage,
  recordRanges, reveal, settled, status, tempDir, writeArtifact,
} from "./harness.mjs";

let browser;
let fx;

before(async () => {
  assert.ok(fs.existsSync(PAGE), `${PAGE} is missing: run web/build.sh`);
  assert.ok(fs.existsSync(AIRVAULT), `${AIRVAULT} is missing: cargo build -p vault-cli`);
  fx = makeVault(tempDir("salvage-cli"));
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

/** Flips one byte inside record `r` of `bytes` (a copy). */
function damage(bytes, r) {
  const out = Buffer.from(bytes);
  out[r.start + Math.floor((r.end - r.start) / 2)] ^= 0x41;
  return out;
}

/**
 * Two damaged copies of the fixture's vault: a binary backup with one entry version
 * destroyed, and a second backup (its own master key) with another one destroyed and a
 * third destroyed in both — so one version is lost for good. Also a file that is not a
 * vault at all.
 */
function damagedCopies(dir, f = fx) {
  const second = path.join(dir, "second.airvault");
  cliJson(["--vault", f.vault, "--password-file", f.pwFile, "backup", "--out", second]);
  const a = fs.readFileSync(f.backup);
  const b = fs.readFileSync(second);
  const ea = recordRanges(a).filter((r) => r.kind === 2);
  const eb = recordRanges(b).filter((r) => r.kind === 2);
  assert.ok(ea.length >= 4 && ea.length === eb.length);
  const copyA = path.join(dir, "copy-a.airvault");
  const copyB = path.join(dir, "copy-b.airvault");
  fs.writeFileSync(copyA, damage(damage(a, ea[0]), ea[3]));
  fs.writeFileSync(copyB, damage(damage(b, eb[1]), eb[3]));
  return { copyA, copyB, lostRecord: ea[3] };
}

describe("salvage in the page", () => {
  it("gives the same entries, losses and secrets as `airvault salvage` on the same files", async () => {
    const dir = tempDir("salvage");
    const { copyA, copyB } = damagedCopies(dir);

    // The command line's salvage of the same two files.
    const outCli = path.join(dir, "cli-salvaged.airvault");
    const run = cli(["--json", "--password-file", fx.pwFile, "salvage", copyA, copyB, "--out", outCli]);
    assert.equal(run.status, 5, run.stderr); // written, one entry version lost
    const report = JSON.parse(run.stdout.trim().split("\n").at(-1));
    assert.equal(report.type, "salvage");
    assert.equal(report.lost.length, 1);
    assert.equal(report.recovered.length, fx.entries.length - 1);

    // The page: both files at once, one password.
    const { page, context, rec } = await openPage(browser);
    await page.setInputFiles("#backup-file", [copyA, copyB]);
    await page.waitForFunction(() => document.querySelector("#verdict").dataset.verdict === "salvage");
    const verdicts = await page.$$eval("#copies li", (l) => l.map((x) => x.dataset.verdict));
    assert.deepEqual(verdicts, ["damaged", "damaged"]);
    await page.fill("#password", fx.password);
    await clickAndSettle(page, "#unlock");
    const s = await status(page);
    assert.equal(s.kind, "warn", s.text);
    assert.equal(s.code, "salvage_incomplete");
    assert.match(s.text, /1 entry version lost/);

    // Entry for entry, what the command line recovered.
    const onPage = await page.$$eval("#entries li.entry", (l) => l.map((x) => ({ ...x.dataset })));
    const key = (e) => e.id + " " + e.version;
    const cliEntries = new Map(report.recovered.map((e) => [key(e), e]));
    assert.equal(onPage.length, cliEntries.size);
    for (const e of onPage) {
      const c = cliEntries.get(key(e));
      assert.ok(c, `${e.name} v${e.version} is also in the command line's result`);
      assert.equal(e.name, c.name);
      assert.equal(e.kind, c.kind);
      assert.equal(e.status, c.status, `${e.name} v${e.version}: status`);
      assert.equal(e.kcv, c.kcv, `${e.name} v${e.version}: KCV`);
      assert.equal(e.from, path.basename(c.from), `${e.name} v${e.version}: the file it came from`);
      assert.equal(e.renamedFrom, c.renamed_from ?? undefined);
    }
    // Exactly what was lost, and where it was listed.
    const lost = await page.$$eval("#lost li", (l) => l.map((x) => ({ ...x.dataset, text: x.textContent })));
    assert.equal(lost.length, 1);
    assert.equal(lost[0].id, report.lost[0].id);
    assert.equal(lost[0].version, String(report.lost[0].version));
    assert.equal(lost[0].name, report.lost[0].name ?? "");
    for (const f of report.lost[0].files) assert.ok(lost[0].text.includes(path.basename(f)));

    // Every secret shown is the fixture's.
    for (const e of onPage) {
      const want = fx.entries.find((x) => x.name === e.name && String(x.version) === e.version);
      assert.ok(want);
      // Every kind is offered as hex but PEM keys, which are text.
      const pem = e.kind === "private-key-pem";
      const shown = await reveal(page, e.record, pem ? "text" : "hex");
      assert.equal(shown, pem ? Buffer.from(want.hex, "hex").toString("utf8") : want.hex,
        `${e.name} v${e.version}`);
    }

    // Saved as a new vault: it opens in the command line and holds the same secrets as the
    // command line's salvaged vault.
    await page.fill("#new-password", "salvaged in the page");
    await page.fill("#new-password-confirm", "salvaged in the page");
    const saved = await downloadFrom(page, "#save-vault", dir);
    await settled(page);
    assert.equal((await status(page)).code, "saved");
    writeArtifact("salvage.png", await page.screenshot({ fullPage: true }));
    const pw = path.join(dir, "page-password.txt");
    fs.writeFileSync(pw, "salvaged in the page\n");
    assert.equal(cliJson(["--password-file", pw, "verify", saved])[0].status, "ok");
    const listPage = cliJson(["--vault", saved, "--password-file", pw, "list"]);
    const listCli = cliJson(["--vault", outCli, "--password-file", fx.pwFile, "list"]);
    const row = (e) => [e.name, e.id, e.version, e.versions, e.kind, e.kcv].join(" ");
    assert.deepEqual(listPage.map(row).sort(), listCli.map(row).sort());
    for (const c of report.recovered) {
      const get = (vault, pwFile) => cliJson(["--vault", vault, "--password-file", pwFile, "get",
        c.name, "--version", String(c.version), "--format", "hex"])[0].value;
      assert.equal(get(saved, pw), get(outCli, fx.pwFile), `${c.name} v${c.version}`);
    }
    // The audit trail continues with a salvage event, as the command line's does.
    const trail = cliJson(["--vault", saved, "--password-file", pw, "audit"]);
    assert.equal(trail.at(-1).op, "salvage");
    assert.equal(cli(["--vault", saved, "--password-file", pw, "audit", "--verify"]).status, 0);
    assert.deepEqual([...new Set(rec.cdp)], [rec.cdp[0]]);
    await context.close();
  });

  it("opens the copies with the recovery code, and refuses a copy of another vault", async () => {
    const dir = tempDir("salvage-recovery");
    const { copyA, copyB } = damagedCopies(dir);
    const { page, context } = await openPage(browser);
    await page.setInputFiles("#backup-file", [copyA, copyB]);
    await page.waitForFunction(() => document.querySelector("#verdict").dataset.verdict === "salvage");
    await page.click("#recovery-section summary");
    await page.fill("#recovery-code", fx.recoveryCode);
    await clickAndSettle(page, "#unlock-recovery");
    assert.equal((await status(page)).code, "salvage_incomplete");
    assert.equal(await page.$$eval("#entries li.entry", (l) => l.length), fx.entries.length - 1);

    // A wrong password opens nothing, and says so for each file.
    await page.setInputFiles("#backup-file", [copyA, copyB]);
    await page.waitForFunction(() => document.querySelector("#verdict").dataset.verdict === "salvage");
    await page.fill("#password", "not the password");
    await clickAndSettle(page, "#unlock");
    const wrong = await status(page);
    assert.equal(wrong.code, "wrong_password");
    assert.match(wrong.text, /copy-a\.airvault: the password does not open it/);

    // A copy of another vault is named, and nothing is opened.
    const other = makeVault(tempDir("salvage-other"));
    await page.setInputFiles("#backup-file", [copyA, copyB, other.backup]);
    await page.waitForFunction(() => document.querySelector("#status").dataset.code === "other_vault");
    assert.match((await status(page)).text, /backup\.airvault is a copy of another vault/);
    await context.close();
  });

  it("salvages copies whose password keyslots are Argon2id, and keeps that cost as the command line does", async () => {
    const fa = makeVault(tempDir("salvage-argon2"), { argon2: ["--memory", "8", "--passes", "1", "--lanes", "1"] });
    const dir = tempDir("salvage-argon2-copies");
    const { copyA, copyB } = damagedCopies(dir, fa);
    const outCli = path.join(dir, "cli-salvaged.airvault");
    const run = cli(["--json", "--password-file", fa.pwFile, "salvage", copyA, copyB, "--out", outCli]);
    assert.equal(run.status, 5, run.stderr);
    const report = JSON.parse(run.stdout.trim().split("\n").at(-1));

    const { page, context, rec } = await openPage(browser);
    await page.setInputFiles("#backup-file", [copyA, copyB]);
    await page.waitForFunction(() => document.querySelector("#verdict").dataset.verdict === "salvage");
    await page.fill("#password", fa.password);
    await clickAndSettle(page, "#unlock");
    const s = await status(page);
    assert.equal(s.code, "salvage_incomplete", s.text);
    const onPage = await page.$$eval("#entries li.entry", (l) => l.map((x) => ({ ...x.dataset })));
    const row = (e) => [e.id, e.version, e.name, e.status, e.kcv].join(" ");
    assert.deepEqual(onPage.map(row).sort(), report.recovered.map(row).sort());

    // The saved vault's password keyslot is Argon2id at the copies' cost (8 MiB, 1 pass,
    // 1 lane), as in the command line's salvaged vault.
    await page.fill("#new-password", "salvaged with Argon2id");
    await page.fill("#new-password-confirm", "salvaged with Argon2id");
    const saved = await downloadFrom(page, "#save-vault", dir);
    await settled(page);
    assert.equal((await status(page)).code, "saved");
    const slot = (file) => [...fs.readFileSync(file).subarray(64, 72)];
    assert.deepEqual(slot(saved), [1, 2, 1, 1, 0x00, 0x20, 0x00, 0x00]);
    assert.deepEqual(slot(saved), slot(outCli));
    const pw = path.join(dir, "page-password.txt");
    fs.writeFileSync(pw, "salvaged with Argon2id\n");
    assert.equal(cliJson(["--password-file", pw, "verify", saved])[0].status, "ok");
    const list = (vault, pwFile) => cliJson(["--vault", vault, "--password-file", pwFile, "list"])
      .map((e) => [e.name, e.id, e.version, e.versions, e.kcv].join(" ")).sort();
    assert.deepEqual(list(saved, pw), list(outCli, fa.pwFile));
    assert.deepEqual([...new Set(rec.cdp)], [rec.cdp[0]]);
    await context.close();
  });
});
