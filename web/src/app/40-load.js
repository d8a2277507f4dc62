  // ---- Loading a backup ------------------------------------------------------------------

  function resetBackup() {
    lockVault(false);
    if (state.backup) state.backup.free();
    state.backup = null;
    if (state.salvage) state.salvage.free();
    state.salvage = null;
    for (const c of state.copies || []) if (c.backup) c.backup.free();
    state.copies = null;
    $("#verdict").replaceChildren();
    $("#verdict").dataset.verdict = "";
    $("#backup-info").replaceChildren();
    show("#step-verify", false);
    show("#step-unlock", false);
    const armor = $("#armor-input");
    delete armor.dataset.errorLine;
  }

  function loadBytes(bytes, fileName) {
    resetBackup();
    state.fileName = fileName.replace(/\.(airvault|txt|asc)$/i, "") || "backup";
    let backup;
    try {
      backup = wb.Backup.open(bytes);
    } catch (e) {
      showUnopenable(e, fileName);
      return;
    }
    openedBackup(backup, fileName);
  }

  function loadArmor() {
    const area = $("#armor-input");
    resetBackup();
    let backup;
    try {
      backup = wb.Backup.fromArmor(area.value);
    } catch (e) {
      if (e && e.name === "AirvaultError" && e.line) {
        area.dataset.errorLine = String(e.line);
        selectLine(area, e.line);
      }
      if (e && e.name === "AirvaultError" && e.code.startsWith("armor_")) fail(e);
      else showUnopenable(e, "pasted text");
      return;
    }
    state.fileName = "paper-backup";
    openedBackup(backup, "pasted text");
  }

  /** Selects text line `line` (from 1) of a textarea, so the mistyped line stands out. */
  function selectLine(area, line) {
    const lines = area.value.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    const end = start + (lines[line - 1] || "").length;
    area.focus();
    area.setSelectionRange(start, end);
    const lineHeight = area.scrollHeight / Math.max(lines.length, 1);
    area.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  /** A file that does not even parse: the keyless verdict is all there is. */
  function showUnopenable(e, fileName) {
    let verdict = "unreadable";
    let title = "Damaged: this backup cannot be opened";
    if (e && e.code === "not_a_vault") {
      verdict = "not-a-vault";
      title = "Not an airvault backup";
    } else if (e && e.category === "unsupported") {
      verdict = "unsupported";
      title = "Unsupported version or parameters";
    }
    const v = $("#verdict");
    v.dataset.verdict = verdict;
    v.replaceChildren(el("div", { class: "title", text: title + " (" + fileName + ")" }),
      el("p", { text: describe(e) }));
    show("#step-verify", true);
    fail(e);
  }

  function openedBackup(backup, fileName) {
    state.backup = backup;
    const v = backup.verify();
    renderVerdict(backup, v, fileName);
    v.free();
    renderBackupInfo(backup, fileName);
    show("#step-verify", true);
    const slots = backup.slots();
    const hasPassword = slots.some((s) => s.kind === "password");
    const hasRecovery = slots.some((s) => s.kind === "recovery");
    freeAll(slots);
    show("#password-form", hasPassword);
    show("#recovery-section", hasRecovery);
    show("#shares-section", hasRecovery);
    $("#recovery-section").open = !hasPassword;
    show("#step-unlock", true);
    const verdict = $("#verdict").dataset.verdict;
    if (verdict === "intact") {
      status("ok", "The backup is intact. Now unlock it with its password or recovery code.");
    } else {
      status("warn", "The backup is damaged (see step 2), but what is intact can still be " +
        "read: unlock it to get those keys back.");
    }
    (hasPassword ? $("#password") : $("#recovery-code")).focus();
  }

  function renderVerdict(backup, v, fileName) {
    const box = $("#verdict");
    if (v.intact) {
      box.dataset.verdict = "intact";
      box.replaceChildren(
        el("div", { class: "title", text: "Intact" }),
        el("p", {
          text: "Both header copies, all " + plural(v.records, "record") +
            " and the trailer match their checksums (" + fileName + ").",
        }),
      );
      return;
    }
    box.dataset.verdict = "damaged";
    const problems = [];
    const part = (name, s) => {
      if (s !== "intact") problems.push(name + " is " + s + ".");
    };
    part("Header copy 1 (start of the file)", v.headerA);
    part("Header copy 2 (end of the file)", v.headerB);
    for (const index of v.damagedRecords) {
      const info = backup.recordInfo(index);
      const what = info.kind === "entry" ? "an entry, version " + info.seq
        : info.kind === "audit" ? "an audit event" : "the vault metadata";
      problems.push("Record " + index + " (" + what + ") is " + info.state + ".");
      info.free();
    }
    const listed = v.damagedRecords.length;
    const total = v.recordsDamaged + v.recordsMissing;
    if (total > listed) problems.push("…and " + (total - listed) + " more records.");
    if (v.truncated) {
      problems.push("The file is truncated: " + v.actualLength + " of " + v.expectedLength + " bytes.");
    } else if (v.actualLength !== v.expectedLength) {
      problems.push("The file has " + (v.actualLength - v.expectedLength) + " extra bytes at its end.");
    }
    part("The trailer (file checksum)", v.trailer);
    box.replaceChildren(
      el("div", { class: "title", text: "Damaged" }),
      el("ul", {}, ...problems.map((p) => el("li", { text: p }))),
      el("p", {
        text: "You can still unlock it: every intact entry can be read. For a complete " +
          "vault, `airvault salvage` combines the intact parts of several copies.",
      }),
    );
  }

  function renderBackupInfo(backup, fileName) {
    const slots = backup.slots();
    const slotText = slots.map((s) => s.kind + " (" + (s.kdf === "argon2id" ? s.kdfText
      : s.iterations.toLocaleString("en-US") + " iterations") + ")").join(", ");
    freeAll(slots);
    const facts = [
      ["File", fileName + (backup.armored ? " (armored text)" : "")],
      ["Size", backup.length.toLocaleString("en-US") + " bytes"],
      ["File fingerprint (SHA-256)", backup.fingerprint, "backup-fingerprint"],
      ["Format version", String(backup.formatVersion), "backup-version"],
      ["Vault id", backup.vaultId],
      ["Generation", String(backup.generation)],
      ["Written", formatDate(backup.writtenAt)],
      ["Keyslots", slotText],
      ["Entry versions", String(backup.entryRecordCount)],
    ];
    $("#backup-info").replaceChildren(
      ...facts.flatMap(([k, value, id]) => [el("dt", { text: k }), el("dd", { id, text: value })]),
    );
  }
