//! Named constants of the airvault v1 format: magic bytes, sizes, bounds and the labels
//! that separate every derived key. `docs/FORMAT.md` is the normative description; every
//! value here appears there.

/// The first eight bytes of every header copy.
pub const MAGIC: [u8; 8] = *b"AIRVAULT";

/// The first eight bytes of the trailer at the very end of a file.
pub const TRAILER_MAGIC: [u8; 8] = *b"AIRVTRLR";

/// The format version this implementation writes. It also reads
/// [`FORMAT_VERSION_1`] files.
///
/// Version 2 adds the vault's check key to the metadata record, so that the check value
/// shown for a low-entropy secret (a password, anything under 128 bits) is keyed per vault
/// and is no offline guessing oracle; see [`crate::records::Kcv`].
pub const FORMAT_VERSION: u16 = 2;

/// The first format version, still read: its metadata record has no check key and every
/// entry stores the unkeyed key check value.
pub const FORMAT_VERSION_1: u16 = 1;

/// PBKDF2-HMAC-SHA256 iteration count used for new keyslots.
///
/// Provenance: OWASP Password Storage Cheat Sheet (2023), which recommends 600,000
/// iterations for PBKDF2-HMAC-SHA256; also `pbkdf2::RECOMMENDED_ROUNDS`.
pub const DEFAULT_ITERATIONS: u32 = 600_000;

/// Default rotation policy of a new vault, in days, for entries without their own.
pub const DEFAULT_POLICY_DAYS: u32 = 90;

/// Fewest PBKDF2 iterations a file may ask for. Files asking for fewer are refused before
/// any key derivation runs.
pub const MIN_ITERATIONS: u32 = 100_000;

/// Most PBKDF2 iterations a file may ask for (about 3 s on a fast x86_64 core, a minute in
/// a slow browser). Files asking for more are refused before any key derivation runs, so a
/// hostile file cannot make a reader spin for hours.
pub const MAX_ITERATIONS: u32 = 20_000_000;

/// Keyslot KDF identifier: PBKDF2-HMAC-SHA256.
pub const KDF_PBKDF2_SHA256: u8 = 1;

/// Keyslot KDF identifier: Argon2id (RFC 9106, version 0x13).
pub const KDF_ARGON2ID: u8 = 2;

/// Argon2id memory of new password keyslots, in KiB (256 MiB).
///
/// Provenance: RFC 9106 §4 recommends Argon2id with 64 MiB and 3 passes when memory is
/// constrained and 2 GiB with 1 pass otherwise; OWASP's Password Storage Cheat Sheet asks
/// for at least 19 MiB. airvault spends about a second of one x86_64 core (see
/// `bench/compare.sh`): 256 MiB with 3 passes, four times RFC 9106's second option.
pub const DEFAULT_ARGON2_MEMORY_KIB: u32 = 256 * 1024;

/// Argon2id passes (`t`) of new password keyslots (RFC 9106 §4, second option).
pub const DEFAULT_ARGON2_PASSES: u32 = 3;

/// Argon2id lanes (`p`) of new password keyslots (RFC 9106 §4, second option). The
/// implementations here fill the lanes one after the other, so lanes cost the same time
/// as one lane of the same memory; an attacker gains nothing from them either.
pub const DEFAULT_ARGON2_LANES: u32 = 4;

/// Least Argon2id memory a file may ask for, in KiB (8 MiB). Files asking for less are
/// refused before any key derivation runs.
pub const MIN_ARGON2_MEMORY_KIB: u32 = 8 * 1024;

/// Least Argon2id memory that `--target-time` chooses, in KiB (64 MiB): a time budget
/// never buys less memory than this.
pub const CALIBRATED_MIN_ARGON2_MEMORY_KIB: u32 = 64 * 1024;

/// Most Argon2id memory a file may ask for, in KiB (2 GiB). Files asking for more are
/// refused before any memory is allocated, so a hostile file cannot exhaust a reader's
/// memory.
pub const MAX_ARGON2_MEMORY_KIB: u32 = 2 * 1024 * 1024;

/// Most Argon2id passes a file may ask for.
pub const MAX_ARGON2_PASSES: u32 = 16;

/// Most Argon2id lanes a file may ask for.
pub const MAX_ARGON2_LANES: u32 = 8;

/// Length of the vault master key, every slot key and every derived subkey.
pub const KEY_LEN: usize = 32;
/// Length of a keyslot's PBKDF2 salt.
pub const SALT_LEN: usize = 32;
/// AES block size and CBC IV length.
pub const BLOCK_LEN: usize = 16;
/// Length of an HMAC-SHA256 tag.
pub const MAC_LEN: usize = 32;
/// Length of a SHA-256 checksum.
pub const CHECKSUM_LEN: usize = 32;
/// Length of the random vault identifier.
pub const VAULT_ID_LEN: usize = 16;
/// Length of an entry's stable identifier.
pub const ENTRY_ID_LEN: usize = 16;
/// Length of a key check value.
pub const KCV_LEN: usize = 4;
/// Length of the recovery secret (128 bits).
pub const RECOVERY_SECRET_LEN: usize = 16;

/// Length of the fixed part of a header, before the keyslots.
pub const HEADER_FIXED_LEN: usize = 64;
/// Length of one keyslot in the header.
pub const SLOT_LEN: usize = 136;
/// Length of one record-table entry in the header.
pub const TABLE_ENTRY_LEN: usize = 64;
/// Length of the header's tail: the header MAC and the header checksum.
pub const HEADER_TAIL_LEN: usize = MAC_LEN + CHECKSUM_LEN;
/// Length of the trailer at the end of a file.
pub const TRAILER_LEN: usize = 56;
/// Length of a wrapped vault master key: 32 bytes of key plus one block of PKCS#7 padding.
pub const WRAPPED_KEY_LEN: usize = KEY_LEN + BLOCK_LEN;

/// Most keyslots a header may hold.
pub const MAX_SLOTS: usize = 8;
/// Most records a file may hold (entries of every version, the metadata record and audit
/// events together).
pub const MAX_RECORDS: u32 = 1 << 20;
/// Longest entry name, in bytes of UTF-8.
pub const MAX_NAME_LEN: usize = 256;
/// Longest secret an entry may hold, in bytes.
pub const MAX_SECRET_LEN: usize = 65_536;
/// Longest detail text an audit event may hold, in bytes of UTF-8.
pub const MAX_AUDIT_DETAIL_LEN: usize = 256;

/// Length of the fixed part of an entry record's plaintext.
pub const ENTRY_FIXED_LEN: usize = 32;
/// Length of the metadata record's plaintext as written (format version 2): the version-1
/// fields and the 32-byte check key.
pub const META_LEN: usize = 104;
/// Length of the metadata record's plaintext in a format version 1 file.
pub const META_LEN_V1: usize = 72;
/// Length of the vault's check key.
pub const CHECK_KEY_LEN: usize = 32;
/// Secrets shorter than this many bytes (128 bits) get a keyed check value, as passwords
/// do.
pub const LOW_ENTROPY_SECRET_LEN: usize = 16;
/// Length of the fixed part of an audit record's plaintext.
pub const AUDIT_FIXED_LEN: usize = 72;

/// Largest plaintext any record may carry.
pub const MAX_RECORD_PLAINTEXT_LEN: usize = ENTRY_FIXED_LEN + MAX_NAME_LEN + MAX_SECRET_LEN;
/// Largest record on disk: IV, padded ciphertext, MAC.
pub const MAX_RECORD_LEN: usize =
    BLOCK_LEN + (MAX_RECORD_PLAINTEXT_LEN / BLOCK_LEN + 1) * BLOCK_LEN + MAC_LEN;
/// Smallest record on disk: IV, one ciphertext block, MAC.
pub const MIN_RECORD_LEN: usize = BLOCK_LEN + BLOCK_LEN + MAC_LEN;

/// Label for the keyslot encryption key: `K_slot_enc = HMAC(K_slot, label)`.
pub const LABEL_SLOT_ENC: &[u8] = b"airvault v1 slot encryption";
/// Label for the keyslot MAC key: `K_slot_mac = HMAC(K_slot, label)`.
pub const LABEL_SLOT_MAC: &[u8] = b"airvault v1 slot authentication";
/// Label for the header MAC key: `K_header = HMAC(VMK, label)`.
pub const LABEL_HEADER_MAC: &[u8] = b"airvault v1 header authentication";
/// Label for the record encryption key: `K_rec_enc = HMAC(VMK, label)`.
pub const LABEL_RECORD_ENC: &[u8] = b"airvault v1 record encryption";
/// Label for the record MAC key: `K_rec_mac = HMAC(VMK, label)`.
pub const LABEL_RECORD_MAC: &[u8] = b"airvault v1 record authentication";
/// Label for key check values: `KCV = HMAC(secret, label)[0..4]`.
pub const LABEL_KCV: &[u8] = b"airvault v1 key check value";
/// Label for keyed check values of low-entropy secrets:
/// `HMAC(check_key, label || secret)[0..4]`.
pub const LABEL_KEYED_CHECK: &[u8] = b"airvault v2 keyed check value";
/// Prefix of the unkeyed file checksum input.
pub const LABEL_FILE_CHECKSUM: &[u8] = b"airvault v1 file checksum";
/// Prefix of every audit event hash input.
pub const LABEL_AUDIT_HASH: &[u8] = b"airvault v1 audit event";
