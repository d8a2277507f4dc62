// Times the restore page's password unlock of a backup whose password keyslot is Argon2id
// (vault-core's Argon2id in the page's WebAssembly: WebCrypto has no Argon2), in headless
// Chromium from file://, and records the estimate the page showed before each derivation
// (from its own measurement of the browser's speed) next to the time the derivation took.
//
// Usage: node bench/page-argon2.mjs PAGE BACKUP PASSWORD ROUNDS
// Prints one JSON object. Needs playwright-core (tests/browser/setup.sh) and Chromium.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(ROOT, "tests/browser/package.json"));
const { chromium } = require("playwright-core");

const [page_, backup, password, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 3);

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
    if (st.kdf !== "wasm-argon2id" || st.kind === "error") {
      throw new Error("the unlock failed or did not use Argon2id: " + JSON.stringify(st));
    }
    await page.click("#lock");
    return { ms, kdfMs: Number(st.kdfMs), estimateMs: Number(st.kdfEstimateMs) };
  };

  const runs = [];
  for (let i = 0; i < rounds; i++) runs.push(await unlockOnce());
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  console.log(JSON.stringify({
    rounds,
    chromium: browser.version(),
    argon2_unlock_ms_median: median(runs.map((r) => r.ms)),
    argon2_kdf_ms_median: median(runs.map((r) => r.kdfMs)),
    argon2_estimate_ms_median: median(runs.map((r) => r.estimateMs)),
    ...(process.env.DEBUG ? { runs } : {}),
  }));
} finally {
  await browser.close();
}
