  // ---- Errors in plain words ----------------------------------------------------------

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
