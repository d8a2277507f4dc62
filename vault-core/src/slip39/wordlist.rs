//! The SLIP-39 English wordlist and word lookup.
//!
//! The wordlist is part of the standard: a word's position in [`WORDLIST`] is
//! the 10-bit value it encodes. The list is sorted, every word is 4 to 8
//! lowercase ASCII letters long, and every word is uniquely identified by its
//! first four letters (checked by the unit tests below).
//!
//! Both directions of the word <-> index mapping handle secret material (the
//! words of a share encode the share value), so they scan the whole list with
//! constant-time comparisons instead of using a secret-dependent binary search
//! or table index.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

/// Length in bytes of the longest SLIP-39 word.
pub(super) const MAX_WORD_LEN: usize = 8;

/// Number of leading letters that uniquely identify every SLIP-39 word.
pub(super) const PREFIX_LEN: usize = 4;

/// The SLIP-39 wordlist: 1024 words, the index of a word is the 10-bit value it
/// encodes.
pub const WORDLIST: [&str; 1024] = [
    "academic", "acid", "acne", "acquire", "acrobat", "activity", "actress", "adapt", "adequate",
    "adjust", "admit", "adorn", "adult", "advance", "advocate", "afraid", "again", "agency",
    "agree", "aide", "aircraft", "airline", "airport", "ajar", "alarm", "album", "alcohol",
    "alien", "alive", "alpha", "already", "alto", "aluminum", "always", "amazing", "ambition",
    "amount", "amuse", "analysis", "anatomy", "ancestor", "ancient", "angel", "angry", "animal",
    "answer", "antenna", "anxiety", "apart", "aquatic", "arcade", "arena", "argue", "armed",
    "artist", "artwork", "aspect", "auction", "august", "aunt", "average", "aviation", "avoid",
    "award", "away", "axis", "axle", "beam", "beard", "beaver", "become", "bedroom", "behavior",
    "being", "believe", "belong", "benefit", "best", "beyond", "bike", "biology", "birthday",
    "bishop", "black", "blanket", "blessing", "blimp", "blind", "blue", "body", "bolt", "boring",
    "born", "both", "boundary", "bracelet", "branch", "brave", "breathe", "briefing", "broken",
    "brother", "browser", "bucket", "budget", "building", "bulb", "bulge", "bumpy", "bundle",
    "burden", "burning", "busy", "buyer", "cage", "calcium", "camera", "campus", "canyon",
    "capacity", "capital", "capture", "carbon", "cards", "careful", "cargo", "carpet", "carve",
    "category", "cause", "ceiling", "center", "ceramic", "champion", "change", "charity", "check",
    "chemical", "chest", "chew", "chubby", "cinema", "civil", "class", "clay", "cleanup", "client",
    "climate", "clinic", "clock", "clogs", "closet", "clothes", "club", "cluster", "coal",
    "coastal", "coding", "column", "company", "corner", "costume", "counter", "course", "cover",
    "cowboy", "cradle", "craft", "crazy", "credit", "cricket", "criminal", "crisis", "critical",
    "crowd", "crucial", "crunch", "crush", "crystal", "cubic", "cultural", "curious", "curly",
    "custody", "cylinder", "daisy", "damage", "dance", "darkness", "database", "daughter",
    "deadline", "deal", "debris", "debut", "decent", "decision", "declare", "decorate", "decrease",
    "deliver", "demand", "density", "deny", "depart", "depend", "depict", "deploy", "describe",
    "desert", "desire", "desktop", "destroy", "detailed", "detect", "device", "devote", "diagnose",
    "dictate", "diet", "dilemma", "diminish", "dining", "diploma", "disaster", "discuss",
    "disease", "dish", "dismiss", "display", "distance", "dive", "divorce", "document", "domain",
    "domestic", "dominant", "dough", "downtown", "dragon", "dramatic", "dream", "dress", "drift",
    "drink", "drove", "drug", "dryer", "duckling", "duke", "duration", "dwarf", "dynamic", "early",
    "earth", "easel", "easy", "echo", "eclipse", "ecology", "edge", "editor", "educate", "either",
    "elbow", "elder", "election", "elegant", "element", "elephant", "elevator", "elite", "else",
    "email", "emerald", "emission", "emperor", "emphasis", "employer", "empty", "ending",
    "endless", "endorse", "enemy", "energy", "enforce", "engage", "enjoy", "enlarge", "entrance",
    "envelope", "envy", "epidemic", "episode", "equation", "equip", "eraser", "erode", "escape",
    "estate", "estimate", "evaluate", "evening", "evidence", "evil", "evoke", "exact", "example",
    "exceed", "exchange", "exclude", "excuse", "execute", "exercise", "exhaust", "exotic",
    "expand", "expect", "explain", "express", "extend", "extra", "eyebrow", "facility", "fact",
    "failure", "faint", "fake", "false", "family", "famous", "fancy", "fangs", "fantasy", "fatal",
    "fatigue", "favorite", "fawn", "fiber", "fiction", "filter", "finance", "findings", "finger",
    "firefly", "firm", "fiscal", "fishing", "fitness", "flame", "flash", "flavor", "flea",
    "flexible", "flip", "float", "floral", "fluff", "focus", "forbid", "force", "forecast",
    "forget", "formal", "fortune", "forward", "founder", "fraction", "fragment", "frequent",
    "freshman", "friar", "fridge", "friendly", "frost", "froth", "frozen", "fumes", "funding",
    "furl", "fused", "galaxy", "game", "garbage", "garden", "garlic", "gasoline", "gather",
    "general", "genius", "genre", "genuine", "geology", "gesture", "glad", "glance", "glasses",
    "glen", "glimpse", "goat", "golden", "graduate", "grant", "grasp", "gravity", "gray",
    "greatest", "grief", "grill", "grin", "grocery", "gross", "group", "grownup", "grumpy",
    "guard", "guest", "guilt", "guitar", "gums", "hairy", "hamster", "hand", "hanger", "harvest",
    "have", "havoc", "hawk", "hazard", "headset", "health", "hearing", "heat", "helpful", "herald",
    "herd", "hesitate", "hobo", "holiday", "holy", "home", "hormone", "hospital", "hour", "huge",
    "human", "humidity", "hunting", "husband", "hush", "husky", "hybrid", "idea", "identify",
    "idle", "image", "impact", "imply", "improve", "impulse", "include", "income", "increase",
    "index", "indicate", "industry", "infant", "inform", "inherit", "injury", "inmate", "insect",
    "inside", "install", "intend", "intimate", "invasion", "involve", "iris", "island", "isolate",
    "item", "ivory", "jacket", "jerky", "jewelry", "join", "judicial", "juice", "jump", "junction",
    "junior", "junk", "jury", "justice", "kernel", "keyboard", "kidney", "kind", "kitchen",
    "knife", "knit", "laden", "ladle", "ladybug", "lair", "lamp", "language", "large", "laser",
    "laundry", "lawsuit", "leader", "leaf", "learn", "leaves", "lecture", "legal", "legend",
    "legs", "lend", "length", "level", "liberty", "library", "license", "lift", "likely", "lilac",
    "lily", "lips", "liquid", "listen", "literary", "living", "lizard", "loan", "lobe", "location",
    "losing", "loud", "loyalty", "luck", "lunar", "lunch", "lungs", "luxury", "lying", "lyrics",
    "machine", "magazine", "maiden", "mailman", "main", "makeup", "making", "mama", "manager",
    "mandate", "mansion", "manual", "marathon", "march", "market", "marvel", "mason", "material",
    "math", "maximum", "mayor", "meaning", "medal", "medical", "member", "memory", "mental",
    "merchant", "merit", "method", "metric", "midst", "mild", "military", "mineral", "minister",
    "miracle", "mixed", "mixture", "mobile", "modern", "modify", "moisture", "moment", "morning",
    "mortgage", "mother", "mountain", "mouse", "move", "much", "mule", "multiple", "muscle",
    "museum", "music", "mustang", "nail", "national", "necklace", "negative", "nervous", "network",
    "news", "nuclear", "numb", "numerous", "nylon", "oasis", "obesity", "object", "observe",
    "obtain", "ocean", "often", "olympic", "omit", "oral", "orange", "orbit", "order", "ordinary",
    "organize", "ounce", "oven", "overall", "owner", "paces", "pacific", "package", "paid",
    "painting", "pajamas", "pancake", "pants", "papa", "paper", "parcel", "parking", "party",
    "patent", "patrol", "payment", "payroll", "peaceful", "peanut", "peasant", "pecan", "penalty",
    "pencil", "percent", "perfect", "permit", "petition", "phantom", "pharmacy", "photo", "phrase",
    "physics", "pickup", "picture", "piece", "pile", "pink", "pipeline", "pistol", "pitch",
    "plains", "plan", "plastic", "platform", "playoff", "pleasure", "plot", "plunge", "practice",
    "prayer", "preach", "predator", "pregnant", "premium", "prepare", "presence", "prevent",
    "priest", "primary", "priority", "prisoner", "privacy", "prize", "problem", "process",
    "profile", "program", "promise", "prospect", "provide", "prune", "public", "pulse", "pumps",
    "punish", "puny", "pupal", "purchase", "purple", "python", "quantity", "quarter", "quick",
    "quiet", "race", "racism", "radar", "railroad", "rainbow", "raisin", "random", "ranked",
    "rapids", "raspy", "reaction", "realize", "rebound", "rebuild", "recall", "receiver",
    "recover", "regret", "regular", "reject", "relate", "remember", "remind", "remove", "render",
    "repair", "repeat", "replace", "require", "rescue", "research", "resident", "response",
    "result", "retailer", "retreat", "reunion", "revenue", "review", "reward", "rhyme", "rhythm",
    "rich", "rival", "river", "robin", "rocky", "romantic", "romp", "roster", "round", "royal",
    "ruin", "ruler", "rumor", "sack", "safari", "salary", "salon", "salt", "satisfy", "satoshi",
    "saver", "says", "scandal", "scared", "scatter", "scene", "scholar", "science", "scout",
    "scramble", "screw", "script", "scroll", "seafood", "season", "secret", "security", "segment",
    "senior", "shadow", "shaft", "shame", "shaped", "sharp", "shelter", "sheriff", "short",
    "should", "shrimp", "sidewalk", "silent", "silver", "similar", "simple", "single", "sister",
    "skin", "skunk", "slap", "slavery", "sled", "slice", "slim", "slow", "slush", "smart", "smear",
    "smell", "smirk", "smith", "smoking", "smug", "snake", "snapshot", "sniff", "society",
    "software", "soldier", "solution", "soul", "source", "space", "spark", "speak", "species",
    "spelling", "spend", "spew", "spider", "spill", "spine", "spirit", "spit", "spray", "sprinkle",
    "square", "squeeze", "stadium", "staff", "standard", "starting", "station", "stay", "steady",
    "step", "stick", "stilt", "story", "strategy", "strike", "style", "subject", "submit", "sugar",
    "suitable", "sunlight", "superior", "surface", "surprise", "survive", "sweater", "swimming",
    "swing", "switch", "symbolic", "sympathy", "syndrome", "system", "tackle", "tactics",
    "tadpole", "talent", "task", "taste", "taught", "taxi", "teacher", "teammate", "teaspoon",
    "temple", "tenant", "tendency", "tension", "terminal", "testify", "texture", "thank", "that",
    "theater", "theory", "therapy", "thorn", "threaten", "thumb", "thunder", "ticket", "tidy",
    "timber", "timely", "ting", "tofu", "together", "tolerate", "total", "toxic", "tracks",
    "traffic", "training", "transfer", "trash", "traveler", "treat", "trend", "trial", "tricycle",
    "trip", "triumph", "trouble", "true", "trust", "twice", "twin", "type", "typical", "ugly",
    "ultimate", "umbrella", "uncover", "undergo", "unfair", "unfold", "unhappy", "union",
    "universe", "unkind", "unknown", "unusual", "unwrap", "upgrade", "upstairs", "username",
    "usher", "usual", "valid", "valuable", "vampire", "vanish", "various", "vegan", "velvet",
    "venture", "verdict", "verify", "very", "veteran", "vexed", "victim", "video", "view",
    "vintage", "violence", "viral", "visitor", "visual", "vitamins", "vocal", "voice", "volume",
    "voter", "voting", "walnut", "warmth", "warn", "watch", "wavy", "wealthy", "weapon", "webcam",
    "welcome", "welfare", "western", "width", "wildlife", "window", "wine", "wireless", "wisdom",
    "withdraw", "wits", "wolf", "woman", "work", "worthy", "wrap", "wrist", "writing", "wrote",
    "year", "yelp", "yield", "yoga", "zero",
];

/// Returns the wordlist index of `word`, or `None` if it is not a SLIP-39 word.
///
/// Matching is forgiving in the ways that help someone typing words from
/// paper, without ever guessing:
///
/// * surrounding whitespace is ignored;
/// * ASCII case is ignored (`"Academic"`, `"ACADEMIC"`);
/// * a prefix of at least four letters is accepted (`"acad"`, `"acade"`),
///   because every SLIP-39 word is uniquely identified by its first four
///   letters. The whole input must still be a prefix of the word, so a
///   misspelling after the fourth letter (`"acadxmic"`) is rejected.
///
/// The lookup compares the input against every word of the list in constant
/// time (its running time depends only on the input length).
#[must_use]
pub fn word_index(word: &str) -> Option<u16> {
    let input = word.trim().as_bytes();
    let len = input.len();
    if !(PREFIX_LEN..=MAX_WORD_LEN).contains(&len) {
        return None;
    }
    // `b | 0x20` lowercases ASCII letters and never turns a non-letter into a
    // lowercase letter, so non-letters can never match a word. The folded
    // input is packed like the words of `PACKED`.
    let mut folded = Zeroizing::new(0u64);
    for (i, b) in input.iter().enumerate() {
        *folded |= u64::from(b | 0x20) << (8 * i);
    }
    // The first `len` bytes: the input must be a prefix of the word. Words are
    // zero-padded and folded input bytes are never zero, so an input longer
    // than the word cannot match.
    let mask = u64::MAX >> (64 - 8 * len);

    let mut found = Choice::from(0);
    let mut index = 0u16;
    for (candidate, packed) in (0u16..).zip(PACKED.iter()) {
        let hit = ((packed ^ *folded) & mask).ct_eq(&0);
        index.conditional_assign(&candidate, hit);
        found |= hit;
    }
    if bool::from(found) {
        Some(index)
    } else {
        None
    }
}

/// Copies the word with the given index into `out` in constant time and
/// returns its length. Indices outside the list yield length 0.
pub(super) fn select_word(index: u16, out: &mut [u8; MAX_WORD_LEN]) -> usize {
    let mut selected = Zeroizing::new(0u64);
    for (candidate, packed) in (0u16..).zip(PACKED.iter()) {
        selected.conditional_assign(packed, candidate.ct_eq(&index));
    }
    *out = selected.to_le_bytes();
    // Words hold no zero byte and the padding is all zeros: the length is the
    // number of non-zero bytes, counted without branching on them.
    out.iter()
        .map(|&b| usize::from((b | b.wrapping_neg()) >> 7))
        .sum()
}

/// Every word of [`WORDLIST`] as a little-endian `u64`, zero-padded (every
/// word is at most 8 bytes long), built at compile time: a lookup compares
/// one machine word per entry, with no copying.
static PACKED: [u64; 1024] = pack_words();

/// Builds [`PACKED`]. Evaluated by the compiler only: an index out of bounds
/// here fails the build.
#[allow(clippy::indexing_slicing)] // Only ever evaluated at compile time (see above).
const fn pack_words() -> [u64; 1024] {
    let mut packed = [0u64; 1024];
    let mut i = 0;
    while i < WORDLIST.len() {
        let bytes = WORDLIST[i].as_bytes();
        let mut word = 0u64;
        let mut j = 0;
        while j < bytes.len() && j < MAX_WORD_LEN {
            word |= (bytes[j] as u64) << (8 * j);
            j += 1;
        }
        packed[i] = word;
        i += 1;
    }
    packed
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    extern crate std;
    use super::*;
    use sha2::{Digest, Sha256};
    use std::string::String;

    /// SHA-256 of the canonical wordlist file (one word per line, `\n`
    /// terminated), as published with SLIP-39.
    const WORDLIST_SHA256: &str =
        "bcc4555340332d169718aed8bf31dd9d5248cb7da6e5d355140ef4f1e601eec3";

    #[test]
    fn wordlist_matches_published_list() {
        let mut hasher = Sha256::new();
        for word in WORDLIST.iter() {
            hasher.update(word.as_bytes());
            hasher.update(b"\n");
        }
        let digest = hasher.finalize();
        let hex: String = digest.iter().map(|b| std::format!("{b:02x}")).collect();
        assert_eq!(hex, WORDLIST_SHA256);
    }

    #[test]
    fn wordlist_properties() {
        for pair in WORDLIST.windows(2) {
            assert!(pair[0] < pair[1], "wordlist not sorted at {}", pair[1]);
            assert_ne!(pair[0][..PREFIX_LEN], pair[1][..PREFIX_LEN]);
        }
        for word in WORDLIST.iter() {
            assert!((PREFIX_LEN..=MAX_WORD_LEN).contains(&word.len()));
            assert!(word.bytes().all(|b| b.is_ascii_lowercase()));
        }
        // Sorted + adjacent prefixes differ => all 4-letter prefixes unique.
    }

    #[test]
    fn lookup_every_word() {
        for (i, word) in WORDLIST.iter().enumerate() {
            let i = u16::try_from(i).unwrap();
            assert_eq!(word_index(word), Some(i));
            assert_eq!(word_index(&word.to_ascii_uppercase()), Some(i));
            assert_eq!(word_index(&std::format!("  {word}\t\n")), Some(i));
            for len in PREFIX_LEN..word.len() {
                assert_eq!(word_index(&word[..len]), Some(i), "{}", &word[..len]);
            }
            let mut buf = [0u8; MAX_WORD_LEN];
            let len = select_word(i, &mut buf);
            assert_eq!(&buf[..len], word.as_bytes());
        }
        let mut buf = [0xffu8; MAX_WORD_LEN];
        assert_eq!(select_word(1024, &mut buf), 0);
        assert_eq!(buf, [0u8; MAX_WORD_LEN]);
    }

    #[test]
    fn lookup_rejects_non_words() {
        for bad in [
            "",
            " ",
            "aca",
            "acad!",
            "academicx",
            "acadxmic",
            "zzzz",
            "academic1",
            "ACADEMIC1",
            "acadé",
            "ac ad",
            "acad\u{0}",
            "abcdefghi",
            "@CAD",
            "a{ad",
        ] {
            assert_eq!(word_index(bad), None, "{bad:?}");
        }
        let mut buf = [0u8; MAX_WORD_LEN];
        assert_eq!(select_word(1024, &mut buf), 0);
    }
}
