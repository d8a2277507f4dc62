  // ---- Saving a new vault ----------------------------------------------------------------

  async function onSaveSubmit(ev) {
    ev.preventDefault();
    if (!state.vault || state.busy) return;
    const a = $("#new-password");
    const b = $("#new-password-confirm");
    const same = a.value === b.value;
    const secret = encoder.encode(a.value);
    a.value = "";
    b.value = "";
    if (!same) {
      wipe(secret);
      status("error", "The two new passwords differ. Type them again.", "passwords_differ");
      return;
    }
    if (secret.length === 0) {
      status("error", "Choose a new password first.", "empty_password");
      return;
    }
    state.busy = true;
    setBusy(true);
    try {
      if (state.copies) {
        await saveSalvaged(secret);
        return;
      }
      // The new password keyslot keeps the backup's password KDF: Argon2id at its cost
      // (at least the default), or PBKDF2 (a vault that must open on a microcontroller).
      const slots = state.backup.slots();
      const old = slots.find((s) => s.kind === "password");
      const argon = old && old.kdf === "argon2id"
        ? { memoryKib: Math.max(old.memoryKib, 262144), passes: Math.max(old.passes, 3),
          lanes: Math.max(old.lanes, 4) }
        : null;
      freeAll(slots);
      const salt = wb.randomSalt();
      let file;
      if (argon) {
        const slot = { ...argon, salt, kdfText: "Argon2id, " + argon.memoryKib / 1024 + " MiB, " +
          argon.passes + " passes, " + argon.lanes + " lanes" };
        const derived = await deriveArgon2Key(secret, slot);
        file = state.vault.rewrapWithArgon2id(derived.key, salt, argon.memoryKib, argon.passes,
          argon.lanes, Math.floor(Date.now() / 1000));
      } else {
        const iterations = state.vault.newPasswordIterations;
        const derived = await deriveSlotKey(secret, salt, iterations);
        file = state.vault.rewrapWithPassword(derived.key, salt, iterations,
          Math.floor(Date.now() / 1000));
      }
      const name = safeFileName(state.fileName) + "-restored.airvault";
      const check = wb.Backup.open(file);
      const fingerprint = check.fingerprint;
      check.free();
      download(file, name, "application/octet-stream");
      status("ok", "Saved " + name + " (" + file.length.toLocaleString("en-US") + " bytes, " +
        "SHA-256 " + fingerprint + "). It opens with the new password and the same recovery " +
        "code. Check it with: airvault verify --password-file FILE " + name, "saved");
      $("#status").dataset.savedFile = name;
    } catch (e) {
      fail(e, "save");
    } finally {
      wipe(secret);
      progressDone();
      setBusy(false);
      state.busy = false;
    }
  }
