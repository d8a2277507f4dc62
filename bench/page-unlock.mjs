// Times the restore page's password unlock against the browser's own WebCrypto PBKDF2 with
// the same password, salt and iteration count, in the same headless Chromium page, from
// file://. The two are interleaved (alternating which goes first) and both are timed inside
// the page with performance.now(): the unlock from the click on #unlock until the page is
// no longer busy (keys listed), the reference from importKey to the end of deriveBits.
//
// Usage: node bench/page-unlock.mjs PAGE BACKUP PASSWORD ROUNDS
// Prints one JSON object. Needs playwright-core (tests/browser/setup.sh) and Chromium.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(ROOT, "tests/browser/package.json"));
const { chromium } = require("playwright-core");

const [page_, backup, password, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 9);
const bytes = fs.readFileSync(backup);
// The first keyslot (docs/FORMAT.md): kind at 64, iterations at 64 + 4, salt at 64 + 8.
if (bytes[64] !== 1) throw new Error("the first keyslot of the backup is not a password slot");
const iterations = bytes.readUInt32LE(68);
const salt = [...bytes.subarray(72, 104)];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update"],
});
try {
  const context = await browser.newContext();
  await context.setOffline(true);
  const page = await context.newPage();
  await page.goto(pathToFileURL(page_).href);
  await page.waitForSelector("body[data-ready=true]");
  await page.setInputFiles("#backup-file", backup);
  await page.waitForFunction(() => document.querySelector("#verdict").dataset.verdict === "intact");

  const unlockOnce = async () => {
    await page.fill("#password", password);
    const ms = await page.evaluate(() => new Promise((resolve) => {
      let t0 = 0;
      const observer = new MutationObserver(() => {
        if (document.body.dataset.busy === "false") {
          const t1 = performance.now();
          observer.disconnect();
          resolve(t1 - t0);
        }
      });
      observer.observe(document.body, { attributes: true, attributeFilter: ["data-busy"] });
      t0 = performance.now();
      document.querySelector("#unlock").click();
    }));
    const st = await page.$eval("#status", (s) => ({ ...s.dataset }));
    if (st.kdf !== "webcrypto" || st.kind === "error") {
      throw new Error("the unlock failed or did not use WebCrypto: " + JSON.stringify(st));
    }
    await page.click("#lock");
    return { ms, pageMs: Number(st.unlockMs), kdfMs: Number(st.kdfMs), openMs: Number(st.openMs),
      renderMs: Number(st.renderMs) };
  };
  const webcryptoOnce = () => page.evaluate(async ({ password, salt, iterations }) => {
    const t0 = performance.now();
    const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(password),
      "PBKDF2", false, ["deriveBits"]);
    await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256",
      salt: new Uint8Array(salt), iterations }, base, 256);
    return performance.now() - t0;
  }, { password, salt, iterations });

  await unlockOnce(); // warm-up: compile and first-use costs of both paths
  await webcryptoOnce();
  const unlock = [];
  const webcrypto = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      webcrypto.push(await webcryptoOnce());
      unlock.push(await unlockOnce());
    } else {
      unlock.push(await unlockOnce());
      webcrypto.push(await webcryptoOnce());
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const u = unlock.map((x) => x.ms);
  console.log(JSON.stringify({
    iterations,
    rounds,
    chromium: browser.version(),
    unlock_ms_median: median(u),
    unlock_ms_min: Math.min(...u),
    unlock_ms_max: Math.max(...u),
    webcrypto_ms_median: median(webcrypto),
    webcrypto_ms_min: Math.min(...webcrypto),
    webcrypto_ms_max: Math.max(...webcrypto),
    page_kdf_ms_median: median(unlock.map((x) => x.kdfMs)),
    page_open_ms_median: median(unlock.map((x) => x.openMs)),
    page_render_ms_median: median(unlock.map((x) => x.renderMs)),
    ...(process.env.DEBUG ? { unlock, webcrypto } : {}),
  }));
} finally {
  await browser.close();
}
