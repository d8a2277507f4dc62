  // ---- Unlocking -------------------------------------------------------------------------

  /**
   * Tries every keyslot of `kind` with `secret` (bytes, wiped here when done): derives
   * each slot's key and opens the backup with it.
   */
  async function unlockWith(kind, secret, context) {
    if (state.copies) return salvageWith(kind, secret, context);
    if (state.busy || !state.backup) return;
    state.busy = true;
    setBusy(true);
    const t0 = performance.now();
    let kdfMs = 0;
    let openMs = 0;
    let method = "";
    try {
      const allSlots = state.backup.slots();
      const slots = allSlots.filter((s) => s.kind === kind);
      let vault = null;
      let lastError = null;
      try {
        for (const slot of slots) {
          const k0 = performance.now();
          const derived = await deriveForSlot(secret, slot);
          kdfMs += performance.now() - k0;
          method = derived.method;
          try {
            const o0 = performance.now();
            vault = state.backup.unlock(slot.index, derived.key); // consumes the key
            openMs = performance.now() - o0;
            break;
          } catch (e) {
            if (e && e.code === "wrong_password") lastError = e;
            else throw e;
          }
        }
      } finally {
        freeAll(allSlots);
      }
      if (!vault) {
        throw lastError || { name: "AirvaultError", code: "no_such_slot", message: "no keyslot" };
      }
      state.vault = vault;
      const r0 = performance.now();
      const shown = renderVault(vault);
      const renderMs = performance.now() - r0;
      const ms = performance.now() - t0;
      const s = $("#status");
      // Timings, for the record and for the tests: the whole unlock, and its parts.
      s.dataset.unlockMs = ms.toFixed(1);
      s.dataset.kdfMs = kdfMs.toFixed(1);
      s.dataset.openMs = openMs.toFixed(1);
      s.dataset.renderMs = renderMs.toFixed(1);
      s.dataset.kdf = method;
      const summary = "Unlocked with the " + (kind === "password" ? "password" : context === "shares"
        ? "recovery shares" : "recovery code") + " in " + (ms / 1000).toFixed(2) + " s (key derived by " +
        (method === "webcrypto" ? "the browser's WebCrypto" : method === "wasm-argon2id"
          ? "airvault's Argon2id in WebAssembly" : "airvault's own PBKDF2") + "). " +
        plural(shown.entries, "entry version") + " listed below.";
      if (shown.lost) {
        status("warn", summary + "\n" + plural(shown.lost, "record") + " could not be read — " +
          "see the list above the keys.", "partial");
      } else {
        status("ok", summary);
      }
    } catch (e) {
      fail(e, context);
    } finally {
      wipe(secret);
      progressDone();
      setBusy(false);
      state.busy = false;
    }
  }

  function setBusy(busy) {
    const ids = ["#unlock", "#unlock-recovery", "#unlock-shares", "#save-vault", "#load-armor", "#backup-file"];
    for (const id of ids) $(id).disabled = busy;
    document.body.dataset.busy = String(busy);
  }

  async function onPasswordSubmit(ev) {
    ev.preventDefault();
    const field = $("#password");
    const secret = encoder.encode(field.value);
    field.value = "";
    if (secret.length === 0) {
      status("error", "Type the backup's password first.", "empty_password");
      return;
    }
    await unlockWith("password", secret, "password");
  }

  async function onRecoverySubmit(ev) {
    ev.preventDefault();
    const field = $("#recovery-code");
    let secret;
    try {
      secret = wb.parseRecoveryCode(encoder.encode(field.value));
    } catch (e) {
      fail(e, "recovery");
      if (e && e.code === "recovery_code_bad_group") selectGroup(field, e.group);
      return;
    }
    await unlockWith("recovery", secret, "recovery");
    if (state.vault) field.value = "";
  }

  /** Selects group `group` (from 1) of the typed recovery code. */
  function selectGroup(field, group) {
    const text = field.value;
    let digits = 0;
    let start = -1;
    let end = text.length;
    for (let i = 0; i < text.length; i++) {
      if (text[i] < "0" || text[i] > "9") continue;
      if (digits === (group - 1) * 6) start = i;
      digits++;
      if (digits === group * 6) {
        end = i + 1;
        break;
      }
    }
    if (start >= 0) {
      field.focus();
      field.setSelectionRange(start, end);
    }
  }

  async function onSharesSubmit() {
    const field = $("#shares");
    let secret;
    try {
      secret = wb.combineShares(encoder.encode(field.value));
    } catch (e) {
      fail(e, "shares");
      return;
    }
    await unlockWith("recovery", secret, "shares");
    if (state.vault) field.value = "";
  }
