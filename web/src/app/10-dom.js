// airvault recovery page: the user interface over vault-wasm. web/build.sh joins the files
// of web/src/app/ in name order inside one strict-mode function, so they share its scope.
//
// Everything about the file format and its cryptography happens in vault-wasm (Rust,
// vault-core). This script only moves bytes between the page and the wasm module,
// derives keyslot keys with the browser's WebCrypto PBKDF2 when it can (the wasm KDF
// otherwise), and shows results. Rules it keeps:
//   - no network: nothing here fetches anything, and the CSP would refuse it anyway;
//   - no secret in a message, the console or the DOM, except a value the user asked to see;
//   - passwords and codes are read into byte arrays and wiped; their fields are cleared;
//   - revealed values are removed from the DOM when hidden, and on lock.

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
