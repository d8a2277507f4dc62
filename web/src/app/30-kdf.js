  // ---- State -----------------------------------------------------------------------------

  const state = {
    backup: null, // wb.Backup
    fileName: "backup",
    vault: null, // wb.Vault, or wb.Salvaged after a salvage
    busy: false,
    copies: null, // salvage: [{name, backup, index, opened, error}]
    salvage: null, // wb.Salvage while its copies are being opened
  };

  function forceWasmKdf() {
    return /(^|[#&])kdf=wasm(&|$)/.test(location.hash);
  }

  // ---- Key derivation: WebCrypto PBKDF2, or the wasm KDF in steps ------------------------

  /** Shows progress: a fraction from 0 to 1, or null for work of unknown progress. */
  function progress(fraction, text) {
    show("#progress", true);
    const bar = $("#progress-bar");
    // No animated bar while WebCrypto works: it would take CPU time from the derivation.
    bar.hidden = fraction === null;
    if (fraction !== null) bar.value = fraction;
    $("#progress-text").textContent = text;
  }

  function progressDone() {
    show("#progress", false);
  }

  /**
   * Derives PBKDF2-HMAC-SHA256(secret, salt, iterations, 32) as a wb.SlotKey. Uses the
   * browser's WebCrypto (native code, fastest) when present, else vault-core's KDF run in
   * slices with pauses between them, so the page stays responsive. Does not wipe `secret`.
   * Returns {key, method}.
   */
  async function deriveSlotKey(secret, salt, iterations) {
    const label = iterations.toLocaleString("en-US") + " iterations";
    if (!forceWasmKdf() && globalThis.crypto && crypto.subtle) {
      // Progress appears only if the derivation takes a while: at the default cost it is
      // over in about 0.15 s, and redrawing the page meanwhile would only slow it down.
      const started = performance.now();
      const timer = setInterval(() => {
        const s = ((performance.now() - started) / 1000).toFixed(1);
        progress(null, "Deriving the key (PBKDF2, " + label + ", browser's WebCrypto)… " + s + " s");
      }, 400);
      let bits = null;
      try {
        const base = await crypto.subtle.importKey("raw", secret, "PBKDF2", false, ["deriveBits"]);
        bits = new Uint8Array(
          await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256),
        );
        return { key: wb.SlotKey.fromBytes(bits), method: "webcrypto" };
      } catch (e) {
        if (e && e.name === "AirvaultError") throw e;
        // WebCrypto refused (an old browser, an unusual password): use the wasm KDF.
      } finally {
        clearInterval(timer);
        wipe(bits);
      }
    }
    const job = new wb.KdfJob(secret.slice(), salt, iterations); // the copy is wiped by wasm
    return { key: await runKdfJob(job, "Deriving the key (PBKDF2, " + label + ")…"), method: "wasm" };
  }

  /**
   * Runs a wasm KdfJob in slices of about 40 ms with pauses between them, so the page stays
   * responsive and shows `text` with the percentage done; returns its wb.SlotKey. The job
   * is freed if it fails.
   */
  async function runKdfJob(job, text) {
    try {
      while (job.remaining > 0) {
        const sliceStart = performance.now();
        while (job.remaining > 0 && performance.now() - sliceStart < 40) job.step(4000);
        const pct = Math.floor((100 * job.done) / job.total);
        progress(job.done / job.total, text + " " + pct + " %");
        await nextTick();
      }
    } catch (e) {
      job.free();
      throw e;
    }
    return job.finish();
  }

  // ---- Argon2id in wasm: no WebCrypto for it, no steps, an honest estimate ------------------

  /** This browser's measured Argon2id speed, in KiB filled (per pass) per millisecond. */
  let argon2KibPerMs = null;

  /**
   * Measures this browser's Argon2id speed once: the format's smallest cost (8 MiB, one
   * pass, one lane) on a dummy password, three times, the fastest run kept (the first
   * also pays for growing the wasm memory). Its work per KiB and pass is that of any cost,
   * so a keyslot's time is estimated as its memory × passes over this rate.
   */
  function measureArgon2() {
    if (argon2KibPerMs === null) {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        wb.deriveArgon2id(new Uint8Array(1), new Uint8Array(32), 8192, 1, 1).free();
        best = Math.min(best, performance.now() - t0);
      }
      argon2KibPerMs = 8192 / Math.max(best, 1);
    }
    return argon2KibPerMs;
  }

  /**
   * Derives an Argon2id keyslot's key in wasm (vault-core's Argon2id, memory allocated
   * after its cost is checked). It runs in one call, so the page cannot report progress
   * from inside it and does not respond meanwhile: before it starts, the page says how long
   * it will take — an ESTIMATE from the speed measured by measureArgon2(), not a
   * measurement of this derivation — and then shows the real time it took. Does not wipe
   * `secret`. Returns {key, method, estimateMs}.
   */
  async function deriveArgon2Key(secret, slot) {
    const rate = measureArgon2();
    const blocks = slot.memoryKib - (slot.memoryKib % (4 * slot.lanes));
    const estimateMs = (blocks * slot.passes) / rate;
    progress(null, "Deriving the key (" + slot.kdfText + ", in this page's WebAssembly): about " +
      (estimateMs / 1000).toFixed(1) + " s — an estimate from this browser's measured speed; " +
      "the bar fills over that time. The page does not respond until it is done.");
    $("#status").dataset.kdfEstimateMs = estimateMs.toFixed(0);
    // A bar that fills over the estimated time, animated by the compositor while the
    // derivation holds the page (see style.css): progress as estimated, labelled so.
    const bar = $("#progress-estimate");
    bar.style.setProperty("--estimate-ms", Math.max(estimateMs, 1).toFixed(0) + "ms");
    bar.classList.remove("running");
    bar.hidden = false;
    void bar.offsetWidth; // restart the animation
    bar.classList.add("running");
    bar.dataset.estimateMs = estimateMs.toFixed(0);
    // Let the message and the bar be drawn before the derivation holds the page.
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      const key = wb.deriveArgon2id(secret.slice(), slot.salt, slot.memoryKib, slot.passes, slot.lanes);
      return { key, method: "wasm-argon2id", estimateMs };
    } finally {
      bar.classList.remove("running");
      bar.hidden = true;
    }
  }

  /** A keyslot's key by its own KDF: Argon2id in wasm, or PBKDF2 (see deriveSlotKey). */
  function deriveForSlot(secret, slot) {
    return slot.kdf === "argon2id" ? deriveArgon2Key(secret, slot)
      : deriveSlotKey(secret, slot.salt, slot.iterations);
  }
