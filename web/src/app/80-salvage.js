  // ---- Salvage: several damaged copies merged into one vault ------------------------------
  //
  // The merge itself (which record is taken from which copy, the newest version of each
  // key, what was lost) is vault-core's, the same code as `airvault salvage`; this part
  // only loads the copies, derives each copy's keyslot key, and shows the result.

  /** Loads two or more files as copies of one vault, checks each without a key. */
  async function loadSalvage(files) {
    resetBackup();
    state.fileName = "salvaged";
    const copies = [];
    for (const file of files) {
      const name = file.name || "copy " + (copies.length + 1);
      let bytes;
      try {
        bytes = new Uint8Array(await file.arrayBuffer());
      } catch (e) {
        copies.push({ name, backup: null, error: "the file could not be read" });
        continue;
      }
      try {
        copies.push({ name, backup: wb.Backup.open(bytes) });
      } catch (e) {
        copies.push({ name, backup: null, error: describe(e), code: e && e.code });
      }
    }
    state.copies = copies;
    const usable = copies.filter((c) => c.backup);
    renderCopies();
    show("#step-verify", true);
    if (!usable.length) {
      status("error", "None of the " + copies.length + " files can be opened: " +
        copies.map((c) => c.name + ": " + c.error).join(" "), "nothing_opened");
      return;
    }
    const salvage = new wb.Salvage();
    for (const c of usable) c.index = salvage.add(c.backup);
    const other = usable.find((c) => salvage.isOtherVault(c.index));
    if (other) {
      status("error", other.name + " is a copy of another vault (id " + other.backup.vaultId +
        ", not " + salvage.vaultId + "). Leave it out and load the others again.", "other_vault");
      salvage.free();
      return;
    }
    state.salvage = salvage;
    const kinds = new Set();
    for (const c of usable) {
      const slots = c.backup.slots();
      for (const s of slots) kinds.add(s.kind);
      freeAll(slots);
    }
    show("#password-form", kinds.has("password"));
    show("#recovery-section", kinds.has("recovery"));
    show("#shares-section", kinds.has("recovery"));
    $("#recovery-section").open = !kinds.has("password");
    show("#step-unlock", true);
    status("info", "Loaded " + plural(copies.length, "file") + " to salvage together: every " +
      "intact record of every copy will be kept, the newest version of each key first. " +
      "Unlock them with the password, the recovery code or the shares.");
  }

  /** The keyless verdict of every copy, one line each. */
  function renderCopies() {
    const box = $("#verdict");
    box.dataset.verdict = "salvage";
    const items = state.copies.map((c) => {
      if (!c.backup) {
        return el("li", { "data-file": c.name, "data-verdict": "unreadable",
          text: c.name + ": cannot be used — " + c.error });
      }
      const v = c.backup.verify();
      const verdict = v.intact ? "intact" : "damaged";
      const detail = v.intact ? "intact" : "damaged: " +
        plural(v.recordsDamaged + v.recordsMissing, "record") + " unreadable" +
        (v.truncated ? ", the file is cut short" : "") +
        (v.headerA !== "intact" ? ", header copy 1 " + v.headerA : "") +
        (v.headerB !== "intact" ? ", header copy 2 " + v.headerB : "");
      v.free();
      return el("li", { "data-file": c.name, "data-verdict": verdict,
        text: c.name + " (generation " + c.backup.generation + "): " + detail });
    });
    box.replaceChildren(
      el("div", { class: "title", text: "Salvage: " + plural(state.copies.length, "copy", "copies") +
        " of one vault" }),
      el("ul", { id: "copies" }, ...items),
    );
    $("#backup-info").replaceChildren();
  }

  /** Opens every copy with `secret` (wiped when done) and merges what opens. */
  async function salvageWith(kind, secret, context) {
    if (state.busy || !state.salvage) return;
    state.busy = true;
    setBusy(true);
    const t0 = performance.now();
    try {
      for (const c of state.copies.filter((x) => x.backup)) {
        c.opened = false;
        const allSlots = c.backup.slots();
        const slots = allSlots.filter((s) => s.kind === kind);
        try {
          for (const slot of slots) {
            const derived = await deriveForSlot(secret, slot);
            try {
              const taken = state.salvage.open(c.index, slot.index, derived.key); // consumes the key
              c.opened = true;
              c.recordsOpened = taken.opened;
              c.recordsFailed = taken.failed;
              taken.free();
              break;
            } catch (e) {
              if (!(e && e.code === "wrong_password")) throw e;
            }
          }
        } finally {
          freeAll(allSlots);
        }
        if (!c.opened) {
          c.error = !slots.length ? "it has no keyslot of that kind"
            : kind === "password" ? "the password does not open it"
              : "the recovery secret given does not open it";
        }
      }
      if (kind === "recovery") state.salvage.useRecoverySecret(secret.slice()); // the copy is wiped by wasm
      const opened = state.copies.filter((c) => c.opened);
      if (!opened.length) {
        const reasons = state.copies.map((c) => c.name + ": " + c.error).join("; ");
        status("error", "No file could be opened (" + state.copies.length + "): " + reasons +
          ". Give the password the files were written with, or their recovery code or shares.",
          "wrong_password");
        return;
      }
      const result = state.salvage.finish(Math.floor(Date.now() / 1000));
      state.salvage.free();
      state.salvage = null;
      state.vault = result;
      const shown = renderSalvaged(result);
      const ms = performance.now() - t0;
      $("#status").dataset.unlockMs = ms.toFixed(1);
      const summary = "Salvaged " + plural(shown.entries, "entry version") + " from " +
        opened.length + " of " + plural(state.copies.length, "file") + " in " +
        (ms / 1000).toFixed(2) + " s.";
      if (shown.shortfall.length) {
        status("warn", summary + " INCOMPLETE: " + shown.shortfall.join(", ") + ". Everything " +
          "that could be recovered is listed below.", "salvage_incomplete");
      } else {
        status("ok", summary + " COMPLETE: everything the files listed was recovered.", "salvaged");
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

  /** Lists the merged entries, where each came from, and what was lost. */
  function renderSalvaged(result) {
    const names = state.copies.filter((c) => c.backup).map((c) => c.name);
    const objects = result.entries();
    const entries = objects.map((s) => {
      const e = s.entry;
      const fields = { ...entryFields(e), id: e.id, from: names[s.from], renamedFrom: s.renamedFrom };
      e.free();
      return fields;
    });
    freeAll(objects);
    $("#entries").replaceChildren(...entries.map(renderEntry));
    const lostObjects = result.lost();
    const lost = lostObjects.map((l) => ({
      name: l.name, id: l.id, version: l.version, files: Array.from(l.files, (i) => names[i]),
    }));
    freeAll(lostObjects);
    const box = $("#lost");
    box.replaceChildren(
      el("strong", { text: plural(lost.length, "entry version") + " lost: no file holds an intact copy" }),
      el("ul", {}, ...lost.map((l) => el("li", {
        "data-id": l.id, "data-version": l.version, "data-name": l.name,
        text: (l.name ? "“" + l.name + "”" : "an entry (id " + l.id.slice(0, 8) + "…)") +
          ", version " + l.version + " — listed in " + l.files.join(", "),
      }))),
    );
    box.hidden = lost.length === 0;
    const active = entries.filter((e) => e.status === "active").length;
    const fileLines = state.copies.map((c) => c.name + ": " + (c.opened
      ? "used — " + c.recordsOpened + " records opened" +
        (c.recordsFailed && c.recordsFailed.length ? ", " + c.recordsFailed.length + " not" : "")
      : "not used — " + c.error));
    $("#entries-summary").textContent = plural(active, "active entry", "active entries") + ", " +
      plural(entries.length - active, "retired version") + ", the newest version of each key " +
      "from any copy. " + fileLines.join(". ") + ". Audit trail: " +
      plural(result.auditEventsKept, "event") + " kept, " + result.auditEventsLost + " lost.";
    $("#audit").hidden = true;
    $("#audit-warning").hidden = true;
    const shortfall = [];
    if (lost.length) shortfall.push(plural(lost.length, "entry version") + " lost");
    if (result.auditEventsLost) shortfall.push(plural(result.auditEventsLost, "audit event") + " lost");
    if (result.metadataFrom === undefined) shortfall.push("the metadata record lost");
    const unusable = state.copies.filter((c) => !c.opened).length;
    if (unusable) shortfall.push(plural(unusable, "file") + " unusable");
    $("#save-hint").textContent = result.recovery === "new"
      ? "Writes a new vault file with every key recovered and a new password. No metadata " +
        "record survived, so it gets a NEW recovery code, shown once when you save."
      : "Writes a new vault file with every key recovered, a new password, and the same " +
        "recovery code. It opens with the airvault command line and with this page.";
    show("#step-entries", true);
    show("#step-save", true);
    return { entries: entries.length, shortfall };
  }

  /** Saves the salvaged vault with a new password (`secret`, wiped by the caller). */
  async function saveSalvaged(secret) {
    const result = state.vault;
    const salt = wb.randomSalt();
    // The new password keyslot keeps the newest copy's password KDF and cost.
    let derived;
    if (result.newPasswordKdf === "argon2id") {
      const [memoryKib, passes, lanes] = result.newPasswordArgon2id;
      derived = await deriveArgon2Key(secret, { memoryKib, passes, lanes, salt,
        kdfText: "Argon2id, " + memoryKib / 1024 + " MiB, " + passes + " passes, " + lanes + " lanes" });
    } else {
      derived = await deriveSlotKey(secret, salt, result.newPasswordIterations);
    }
    let recoveryKey;
    const job = result.recoveryKeyJob();
    if (job) {
      try {
        recoveryKey = await runKdfJob(job, "Sealing the recovery keyslot (PBKDF2)…");
      } catch (e) {
        derived.key.free();
        throw e;
      }
    }
    const file = result.save(derived.key, salt, recoveryKey, Math.floor(Date.now() / 1000));
    const name = "salvaged.airvault";
    const check = wb.Backup.open(file);
    const fingerprint = check.fingerprint;
    check.free();
    download(file, name, "application/octet-stream");
    const code = result.newRecoveryCode();
    status("ok", "Saved " + name + " (" + file.length.toLocaleString("en-US") + " bytes, SHA-256 " +
      fingerprint + "). It opens with the new password" + (code
      ? ". No metadata record survived, so it has a NEW recovery code; old codes and shares " +
        "no longer open it. Write it down now: " + code
      : " and the vault's recovery code") + ". Check it with: airvault verify --password-file FILE " +
      name, "saved");
    $("#status").dataset.savedFile = name;
  }
