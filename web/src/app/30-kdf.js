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
    try {
      while (job.remaining > 0) {
        const sliceStart = performance.now();
        while (job.remaining > 0 && performance.now() - sliceStart < 40) job.step(4000);
        const pct = Math.floor((100 * job.done) / job.total);
        progress(job.done / job.total, "Deriving the key (PBKDF2, " + label + ")… " + pct + " %");
        await nextTick();
      }
    } catch (e) {
      job.free();
      throw e;
    }
    return { key: job.finish(), method: "wasm" };
  }
