  // ---- Entries ---------------------------------------------------------------------------

  /** Text formats for showing, copying and saving each kind of secret; the first is the default. */
  const FORMATS = {
    "symmetric-key": ["hex", "base64"],
    "private-key-pem": ["text"],
    password: ["text", "hex"],
    "totp-seed": ["base32", "hex"],
    opaque: ["hex", "base64", "text"],
  };
  const RAW_DOWNLOAD = new Set(["symmetric-key", "totp-seed", "opaque"]);
  const KIND_LABEL = {
    "symmetric-key": "symmetric key",
    "private-key-pem": "private key (PEM)",
    password: "password / text",
    "totp-seed": "TOTP seed",
    opaque: "opaque bytes",
  };

  /** The public fields of an entry, copied out of its wasm object (which is then freed). */
  function entryFields(e) {
    return {
      record: e.record, name: e.name, kind: e.kind, status: e.status, version: e.version,
      createdAt: e.createdAt, rotatedAt: e.rotatedAt, kcv: e.kcv, secretLength: e.secretLength,
    };
  }

  const SAVE_HINT = "Writes a new vault file with every key of this backup, a new password, " +
    "and the same recovery code. It opens with the airvault command line and with this page.";

  /** Lists the entries and the lost records; returns how many of each. */
  function renderVault(vault) {
    const objects = vault.entries();
    const entries = objects.map(entryFields);
    freeAll(objects);
    const list = $("#entries");
    list.replaceChildren(...entries.map(renderEntry));
    list.tabIndex = -1;
    const active = entries.filter((e) => e.status === "active").length;
    $("#entries-summary").textContent = plural(active, "active entry", "active entries") + ", " +
      plural(entries.length - active, "retired version") + ". Secrets stay hidden until you " +
      "ask for them; the key check value (KCV) confirms a key without showing it — compare " +
      "it with `airvault list`.";
    const lost = renderLost(vault);
    // The audit trail is listed when its section is first opened; its hash chain was
    // checked when the vault was opened.
    const audit = $("#audit");
    audit.hidden = false;
    audit.open = false;
    $("#save-hint").textContent = SAVE_HINT;
    $("#audit-list").replaceChildren();
    const chain = vault.auditChain;
    audit.dataset.chain = chain;
    audit.querySelector("summary").textContent = "Audit trail of this vault — " + ({
      valid: "its hash chain is intact",
      incomplete: "not all of it could be read",
    }[chain] || "its hash chain is BROKEN");
    const warning = $("#audit-warning");
    warning.hidden = chain === "valid";
    warning.textContent = chain === "valid" ? "" : chain === "incomplete"
      ? "The audit trail cannot be checked: " + vault.auditChainMessage + "."
      : "Warning: the audit trail does not verify — " + vault.auditChainMessage + ". The keys " +
        "themselves are authenticated and correct, but someone with the key may have edited " +
        "this vault's history.";
    show("#step-entries", true);
    show("#step-save", true);
    return { entries: entries.length, lost };
  }

  function renderEntry(e) {
    const kind = e.kind;
    const formats = FORMATS[kind] || ["hex"];
    const attrs = { "data-name": e.name, "data-record": e.record };
    const select = el("select", { class: "format", "aria-label": "Format", ...attrs },
      ...formats.map((f) => el("option", { value: f, text: f })));
    const value = el("pre", { class: "secret-value", ...attrs });
    value.hidden = true;
    const reveal = el("button", { type: "button", class: "reveal", ...attrs, text: "Show" });
    const copy = el("button", { type: "button", class: "copy", ...attrs, text: "Copy" });
    const save = el("button", { type: "button", class: "download", ...attrs, text: "Download" });
    const raw = RAW_DOWNLOAD.has(kind)
      ? el("button", { type: "button", class: "download-raw", ...attrs, text: "Download raw bytes" })
      : null;
    reveal.addEventListener("click", () => toggleReveal(e.record, select, value, reveal));
    copy.addEventListener("click", () => copySecret(e.record, select.value, e.name));
    save.addEventListener("click", () => downloadSecret(e.record, select.value, e.name, e.version, kind));
    if (raw) raw.addEventListener("click", () => downloadRaw(e.record, e.name, e.version));
    select.addEventListener("change", () => {
      if (!value.hidden) showValue(e.record, select.value, value);
    });
    const origin = e.from ? [el("dt", { text: "From" }), el("dd", { class: "from",
      text: e.from + (e.renamedFrom ? " (renamed from “" + e.renamedFrom + "”: another entry " +
        "has that name)" : "") })] : [];
    return el("li", {
      class: "entry", "data-name": e.name, "data-version": e.version, "data-status": e.status,
      "data-kind": kind, "data-record": e.record, "data-kcv": e.kcv, "data-id": e.id,
      "data-from": e.from, "data-renamed-from": e.renamedFrom || undefined,
    },
      el("div", { class: "entry-head" },
        el("span", { class: "entry-name", text: e.name }),
        el("span", { class: "badge", text: KIND_LABEL[kind] || kind }),
        el("span", { class: "badge", text: e.status }),
        el("span", { class: "badge", text: "version " + e.version })),
      el("dl", { class: "facts" },
        el("dt", { text: "KCV" }), el("dd", { class: "kcv", text: e.kcv }),
        el("dt", { text: "Created" }), el("dd", { text: formatDay(e.createdAt), title: formatDate(e.createdAt) }),
        el("dt", { text: "This version" }), el("dd", { text: formatDay(e.rotatedAt), title: formatDate(e.rotatedAt) }),
        el("dt", { text: "Length" }), el("dd", { text: plural(e.secretLength, "byte") }),
        ...origin),
      el("div", { class: "actions" }, select, reveal, copy, save, raw),
      value);
  }

  function showValue(record, format, pre) {
    try {
      pre.textContent = state.vault.reveal(record, format);
      pre.hidden = false;
      return true;
    } catch (e) {
      fail(e);
      return false;
    }
  }

  function hideValue(pre, button) {
    pre.textContent = "";
    pre.hidden = true;
    if (button) button.textContent = "Show";
  }

  function toggleReveal(record, select, pre, button) {
    if (!state.vault) return;
    if (!pre.hidden) {
      hideValue(pre, button);
      return;
    }
    if (showValue(record, select.value, pre)) button.textContent = "Hide";
  }

  let clipboardTimer = null;

  async function copySecret(record, format, name) {
    if (!state.vault) return;
    let text;
    try {
      text = state.vault.reveal(record, format);
    } catch (e) {
      fail(e);
      return;
    }
    let copied = false;
    try {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        await navigator.clipboard.writeText(text);
        copied = true;
      }
    } catch (_) {
      copied = false;
    }
    if (!copied) {
      // Older browsers: copy from a temporary, off-screen text area.
      const t = el("textarea", { "aria-hidden": "true" });
      t.style.position = "fixed";
      t.style.left = "-9999px";
      t.value = text;
      document.body.append(t);
      t.select();
      try {
        copied = document.execCommand("copy");
      } catch (_) {
        copied = false;
      }
      t.value = "";
      t.remove();
    }
    text = null;
    if (!copied) {
      status("error", "The browser did not allow copying. Use Show and copy by hand.", "copy_failed");
      return;
    }
    status("ok", "Copied “" + name + "” (" + format + ") to the clipboard. It will be cleared " +
      "in 60 seconds if this page still has the focus.");
    clearTimeout(clipboardTimer);
    clipboardTimer = setTimeout(() => {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText("").catch(() => {});
      }
    }, 60000);
  }

  function downloadSecret(record, format, name, version, kind) {
    if (!state.vault) return;
    let text;
    try {
      text = state.vault.reveal(record, format);
    } catch (e) {
      fail(e);
      return;
    }
    const ext = kind === "private-key-pem" ? ".pem" : format === "text" ? ".txt" : "." + format + ".txt";
    const file = safeFileName(name) + "-v" + version + ext;
    const bytes = encoder.encode(text);
    text = null;
    download(bytes, file, "text/plain;charset=utf-8");
    wipe(bytes);
    status("ok", "Saved “" + name + "” as " + file + " (" + format + ").");
  }

  function downloadRaw(record, name, version) {
    if (!state.vault) return;
    let bytes;
    try {
      bytes = state.vault.secretBytes(record);
    } catch (e) {
      fail(e);
      return;
    }
    const file = safeFileName(name) + "-v" + version + ".bin";
    download(bytes, file, "application/octet-stream");
    wipe(bytes);
    status("ok", "Saved “" + name + "” as " + file + " (raw bytes).");
  }

  function renderLost(vault) {
    const lost = vault.lost();
    const box = $("#lost");
    if (!lost.length) {
      box.replaceChildren();
      box.hidden = true;
      return 0;
    }
    const items = lost.map((l) => {
      let what;
      if (l.kind === "entry") {
        what = (l.name ? "“" + l.name + "”" : "an entry (id " + l.id.slice(0, 8) + "…)") +
          ", version " + l.seq;
      } else if (l.kind === "audit") {
        what = "audit event " + l.seq;
      } else {
        what = "the vault metadata";
      }
      return el("li", { "data-record": l.record, "data-code": l.code, text: "Record " + l.record +
        ": " + what + " — " + l.message + "." });
    });
    box.replaceChildren(
      el("strong", { text: plural(lost.length, "record") + " of this backup cannot be read:" }),
      el("ul", {}, ...items),
      el("p", { text: "Every other entry is listed below. To rebuild a complete vault, run " +
        "`airvault salvage` with this and any other copies of the backup." }),
    );
    box.hidden = false;
    const count = lost.length;
    freeAll(lost);
    return count;
  }

  function renderAudit(vault) {
    const events = vault.auditTrail();
    $("#audit-list").replaceChildren(...events.map((a) => el("li", {
      text: formatDate(a.time) + " — " + a.op + (a.name ? " “" + a.name + "”" : "") +
        (a.version ? " v" + a.version : "") + (a.kcv ? " KCV " + a.kcv : "") +
        (a.detail ? " (" + a.detail + ")" : ""),
    })));
    freeAll(events);
  }

  function lockVault(announce) {
    for (const pre of document.querySelectorAll(".secret-value")) pre.textContent = "";
    $("#entries").replaceChildren();
    $("#lost").replaceChildren();
    $("#audit-list").replaceChildren();
    $("#audit-warning").textContent = "";
    show("#step-entries", false);
    show("#step-save", false);
    for (const id of ["#password", "#recovery-code", "#shares", "#new-password", "#new-password-confirm"]) {
      $(id).value = "";
    }
    if (state.vault) {
      if (typeof state.vault.lock === "function") state.vault.lock();
      state.vault.free();
      state.vault = null;
      if (announce) status("info", "Locked. The keys were cleared from this page.");
    }
  }
