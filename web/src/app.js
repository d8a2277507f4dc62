// airvault recovery page: the user interface over vault-wasm.
//
// Everything about the file format and its cryptography happens in vault-wasm (Rust,
// vault-core). This script only moves bytes between the page and the wasm module,
// derives keyslot keys with the browser's WebCrypto PBKDF2 when it can (the wasm KDF
// otherwise), and shows results. Rules it keeps:
//   - no network: nothing here fetches anything, and the CSP would refuse it anyway;
//   - no secret in a message, the console or the DOM, except a value the user asked to see;
//   - passwords and codes are read into byte arrays and wiped; their fields are cleared;
//   - revealed values are removed from the DOM when hidden, and on lock.
"use strict";

(function () {
  const wb = wasm_bindgen; // eslint-disable-line no-undef -- defined by the inlined glue

  // ---- Small helpers ---------------------------------------------------------------------

  const $ = (sel) => document.querySelector(sel);
  const encoder = new TextEncoder();

  /** Creates an element with text and attributes. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, String(v));
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c !== null && c !== undefined) e.append(c);
    }
    return e;
  }

  function show(sel, visible) {
    $(sel).hidden = !visible;
  }

  function wipe(bytes) {
    if (bytes && typeof bytes.fill === "function") bytes.fill(0);
  }

  function freeAll(items) {
    for (const item of items || []) {
      if (item && typeof item.free === "function") item.free();
    }
  }

  const nextTick = () => new Promise((resolve) => setTimeout(resolve, 0));

  function formatDate(seconds) {
    if (!Number.isFinite(seconds) || seconds <= 0) return "—";
    const d = new Date(seconds * 1000);
    return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  function formatDay(seconds) {
    if (!Number.isFinite(seconds) || seconds <= 0) return "—";
    return new Date(seconds * 1000).toISOString().slice(0, 10);
  }

  function plural(n, word, many) {
    return n + " " + (n === 1 ? word : many || word + "s");
  }

  /** A file name made of the entry's name: safe characters only, its own extension dropped. */
  function safeFileName(name) {
    const s = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "")
      .replace(/\.(pem|key|txt|bin|hex|airvault)$/i, "");
    return (s || "entry").slice(0, 80);
  }

  /** Offers `data` as a download, entirely locally through a Blob URL. */
  function download(data, filename, type) {
    const blob = new Blob([data], { type });
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename, rel: "noopener" });
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  // ---- Status line -----------------------------------------------------------------------

  /** Sets the status line. `kind`: info, ok, warn, error. `code`: the error code, if any. */
  function status(kind, text, code) {
    const s = $("#status");
    s.dataset.kind = kind;
    if (code) s.dataset.code = code;
    else delete s.dataset.code;
    s.textContent = text;
  }

  /** Plain words for an error from vault-wasm (or anything else), without any secret. */
  function describe(e, context) {
    if (!e || e.name !== "AirvaultError") {
      return "Something unexpected went wrong: " + (e && e.message ? e.message : String(e));
    }
    const salvage =
      " If you have other copies of this backup, `airvault salvage COPY… --out NEW` " +
      "rebuilds a vault from the intact parts of all of them.";
    switch (e.code) {
      case "wrong_password":
        if (context === "recovery") {
          return "Wrong recovery code. It is well-formed, but it does not open this backup — " +
            "is this a backup of the right vault? The backup itself is intact.";
        }
        if (context === "shares") {
          return "These shares combine to a secret that does not open this backup — are they " +
            "from this vault's share set? The backup itself is intact.";
        }
        return "Wrong password. The backup itself is intact: check Caps Lock and the " +
          "keyboard layout and try again, or use the recovery code.";
      case "not_a_vault":
        return "This is not an airvault backup: it has neither an airvault header nor trailer.";
      case "unsupported_version":
      case "armor_unsupported_version":
        return "Unsupported version: this backup was written by a newer airvault (" +
          e.message + "). Use the restore page or command line of that version.";
      case "kdf_cost_refused":
        return "Unsupported: the backup asks for a key-derivation cost outside the accepted " +
          "range, so it was refused before any work (" + e.message + ").";
      case "unsupported_slot":
        return "Unsupported: the backup uses a kind of keyslot this version does not know (" +
          e.message + ").";
      case "header_damaged":
        return "The backup is damaged: both copies of its header are unreadable, so it " +
          "cannot be opened." + salvage;
      case "truncated":
        return "The backup is damaged: the file is cut short (" + e.message + ")." + salvage;
      case "malformed":
        return "The backup is damaged: " + e.message + "." + salvage;
      case "header_auth_failed":
        return "The password is right, but the backup's header was modified after it was " +
          "written (its authentication failed). Do not trust this copy." + salvage;
      case "record_foreign":
        if (context === "save") {
          return "No new vault was written: record " + e.record + " of this backup was taken " +
            "from another copy of the vault and put in place of the one its header lists " +
            "(tampering). Do not trust this copy." + salvage;
        }
        return "Record " + e.record + " was taken from another copy of the vault and put in " +
          "place of the one the header lists (tampering); it was not opened." + salvage;
      case "record_damaged":
      case "record_missing":
      case "record_auth_failed":
      case "record_malformed":
        if (context === "save") {
          return "No new vault was written: record " + e.record + " of this backup cannot be " +
            "read (" + e.message + "), and saving needs every record, so that nothing is lost " +
            "without notice. Save the keys you need one by one above." + salvage;
        }
        return "Record " + e.record + " of the backup cannot be read (" + e.message + ")." + salvage;
      case "no_such_slot":
        return context === "recovery" || context === "shares"
          ? "This backup has no recovery keyslot: only its password opens it."
          : "This backup has no password keyslot: open it with the recovery code.";
      case "armor_bad_line":
        return "Line " + e.line + " of the text is mistyped: its check does not match. " +
          "Compare it with the paper character by character.";
      case "armor_nonzero_padding":
        return "Line " + e.line + " is mistyped: its last character before the check cannot " +
          "end a line. Compare that character with the paper.";
      case "armor_bad_character":
        return "Line " + e.line + " holds a character that never appears in a backup " +
          "(only 0–9 and A–Z without I, L, O, U). Compare it with the paper.";
      case "armor_wrong_line_length":
        return "Line " + e.line + " has too many or too few characters. Compare it with the paper.";
      case "armor_wrong_line_number":
        return "Line " + e.line + " is not the line expected there: a line is missing, " +
          "repeated or out of order.";
      case "armor_missing_lines":
      case "armor_incomplete":
        return "The text ends early: some lines are missing (" + e.message + ").";
      case "armor_no_begin_line":
        return "No backup found in the text: it must start with " +
          "-----BEGIN AIRVAULT BACKUP-----.";
      case "armor_no_end_line":
        return "The text has no -----END AIRVAULT BACKUP----- line: it is cut short.";
      case "armor_bad_header":
        return "Line " + e.line + ": the lines after BEGIN must be 'Version: 1' and 'Length: N'.";
      case "recovery_code_bad_group":
        return "Group " + e.group + " of the recovery code is mistyped. Check those six digits.";
      case "recovery_code_wrong_shape":
        return "A recovery code is 8 groups of 6 digits (" + e.message + ").";
      case "recovery_code_bad_character":
        return "A recovery code holds only digits, separated by spaces or dashes.";
      case "share_checksum":
        return "Share " + (e.share || 1) + " is mistyped: its checksum does not match" +
          (e.word ? " (word " + e.word + " is probably wrong)" : "") + ". Check its words.";
      case "share_unknown_word":
        return "Share " + (e.share || 1) + ", word " + e.word + " is not a word of the SLIP-39 " +
          "list. Check its spelling.";
      case "share_word_count":
        return "Share " + (e.share || 1) + " has a wrong number of words (" + e.message + ").";
      case "shares_not_enough":
        return "Not enough shares: " + e.message + ".";
      case "shares_too_many":
        return "Too many shares: " + e.message + ". Give exactly the number the set needs.";
      case "shares_none":
        return "Paste the shares first, one per line.";
      case "shares_duplicate":
      case "shares_different_sets":
      case "shares_digest_mismatch":
      case "shares_not_a_recovery_secret":
      case "share_invalid":
        return "These shares cannot be combined: " + e.message + ".";
      case "not_text":
        return "This secret is not text; show it as hex or base64.";
      case "write_check_failed":
        return "The new vault file did not check out after writing, so it was not saved.";
      default:
        return e.message + " (" + e.code + ")";
    }
  }

  function fail(e, context) {
    status("error", describe(e, context), e && e.code ? e.code : "unexpected");
  }

  // ---- State -----------------------------------------------------------------------------

  const state = {
    backup: null, // wb.Backup
    fileName: "backup",
    vault: null, // wb.Vault
    busy: false,
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
      (estimateMs / 1000).toFixed(1) + " s — an estimate from this browser's measured speed. " +
      "The page does not respond until it is done.");
    $("#status").dataset.kdfEstimateMs = estimateMs.toFixed(0);
    // Let the message be drawn before the derivation holds the page.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const key = wb.deriveArgon2id(secret.slice(), slot.salt, slot.memoryKib, slot.passes, slot.lanes);
    return { key, method: "wasm-argon2id", estimateMs };
  }

  // ---- Loading a backup ------------------------------------------------------------------

  function resetBackup() {
    lockVault(false);
    if (state.backup) state.backup.free();
    state.backup = null;
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

  // ---- Unlocking -------------------------------------------------------------------------

  /**
   * Tries every keyslot of `kind` with `secret` (bytes, wiped here when done): derives
   * each slot's key and opens the backup with it.
   */
  async function unlockWith(kind, secret, context) {
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
          const derived = slot.kdf === "argon2id" ? await deriveArgon2Key(secret, slot)
            : await deriveSlotKey(secret, slot.salt, slot.iterations);
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
    audit.open = false;
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
    return el("li", {
      class: "entry", "data-name": e.name, "data-version": e.version, "data-status": e.status,
      "data-kind": kind, "data-record": e.record, "data-kcv": e.kcv,
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
        el("dt", { text: "Length" }), el("dd", { text: plural(e.secretLength, "byte") })),
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
      state.vault.lock();
      state.vault.free();
      state.vault = null;
      if (announce) status("info", "Locked. The keys were cleared from this page.");
    }
  }

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

  // ---- Wiring ----------------------------------------------------------------------------

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

  function start() {
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
      const b64 = $("#wasm-module").textContent.replace(/\s+/g, "");
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      wb.initSync({ module: bytes });
    } catch (e) {
      status("error", "This browser cannot run the page's WebAssembly module (" +
        (e && e.message ? e.message : e) + "). Try a current Chromium, Firefox or Safari.", "no_wasm");
      return;
    }

    $("#backup-file").addEventListener("change", (ev) => {
      readFile(ev.target.files && ev.target.files[0]);
      ev.target.value = "";
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
      if (files && files.length) readFile(files[0]);
    });
    window.addEventListener("pagehide", () => {
      lockVault(false);
      if (state.backup) state.backup.free();
    });

    document.body.dataset.ready = "true";
    status("info", "Ready. Nothing leaves this computer. Load a backup to begin.");
  }

  start();
})();
