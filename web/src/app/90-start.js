  // ---- Wiring ----------------------------------------------------------------------------

  /** One file is a backup to open; two or more are copies to salvage together. */
  async function readFiles(files) {
    if (!files || !files.length) return;
    if (files.length > 1) {
      await loadSalvage(Array.from(files));
      return;
    }
    await readFile(files[0]);
  }

  async function readFile(file) {
    if (!file) return;
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      status("error", "The file could not be read: " + (e && e.message ? e.message : e), "io");
      return;
    }
    loadBytes(bytes, file.name || "backup");
  }

  function updateOnline() {
    show("#online-warning", navigator.onLine === true);
  }

  /**
   * The wasm module's bytes: base64 in the page, compressed with raw DEFLATE (web/build.sh),
   * inflated by the browser's own DecompressionStream — no network, no other file.
   */
  async function wasmModule() {
    const b64 = $("#wasm-module").textContent.replace(/\s+/g, "");
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  async function start() {
    const meta = (name) => {
      const m = document.querySelector('meta[name="' + name + '"]');
      return m ? m.getAttribute("content") : "";
    };
    $("#version").textContent = meta("airvault-version");
    $("#fingerprint").textContent = meta("airvault-content-sha256");
    updateOnline();
    window.addEventListener("online", updateOnline);
    window.addEventListener("offline", updateOnline);

    try {
      wb.initSync({ module: await wasmModule() });
    } catch (e) {
      status("error", "This browser cannot run the page's WebAssembly module (" +
        (e && e.message ? e.message : e) + "). Try a current Chromium, Firefox or Safari.", "no_wasm");
      return;
    }

    $("#backup-file").addEventListener("change", (ev) => {
      readFiles(ev.target.files).finally(() => { ev.target.value = ""; });
    });
    $("#load-armor").addEventListener("click", loadArmor);
    $("#password-form").addEventListener("submit", onPasswordSubmit);
    $("#recovery-form").addEventListener("submit", onRecoverySubmit);
    $("#unlock-shares").addEventListener("click", onSharesSubmit);
    $("#save-form").addEventListener("submit", onSaveSubmit);
    $("#lock").addEventListener("click", () => lockVault(true));
    $("#audit").addEventListener("toggle", () => {
      if ($("#audit").open && state.vault && !$("#audit-list").childElementCount) renderAudit(state.vault);
    });
    $("#armor-input").addEventListener("input", (ev) => delete ev.target.dataset.errorLine);

    let depth = 0;
    document.addEventListener("dragenter", (ev) => {
      ev.preventDefault();
      depth++;
      document.body.classList.add("dragging");
    });
    document.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) document.body.classList.remove("dragging");
    });
    document.addEventListener("dragover", (ev) => ev.preventDefault());
    document.addEventListener("drop", (ev) => {
      ev.preventDefault();
      depth = 0;
      document.body.classList.remove("dragging");
      const files = ev.dataTransfer && ev.dataTransfer.files;
      if (files && files.length) readFiles(files);
    });
    window.addEventListener("pagehide", () => resetBackup());

    document.body.dataset.ready = "true";
    status("info", "Ready. Nothing leaves this computer. Load a backup to begin.");
  }

  start();
