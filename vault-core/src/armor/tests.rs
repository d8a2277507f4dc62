//! Tests of the armor: round trips, every rule of reading, hand-typed text.

use super::decode::*;
use super::encode::*;
use super::*;
use std::string::{String, ToString};
use std::vec::Vec;

fn armor(data: &[u8]) -> String {
    let mut out = vec![0u8; encoded_len(data.len())];
    let n = encode(data, &mut out).unwrap();
    assert_eq!(n, out.len());
    String::from_utf8(out).unwrap()
}

fn unarmor(text: &str) -> Result<Vec<u8>, ArmorError> {
    let mut out = vec![0u8; decoded_len_max(text.len())];
    let n = decode(text.as_bytes(), &mut out)?;
    out.truncate(n);
    Ok(out)
}

#[test]
fn round_trips_every_length_up_to_three_lines() {
    for len in 0..=61 {
        let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        let text = armor(&data);
        assert!(is_armored(text.as_bytes()));
        assert_eq!(unarmor(&text).unwrap(), data, "len {len}");
    }
}

fn armor_streaming(data: &[u8]) -> Vec<u8> {
    let mut enc = Encoder::new(data.len());
    let mut piece = [0u8; MAX_PIECE_LEN];
    let mut text = Vec::new();
    let n = enc.begin(&mut piece);
    text.extend_from_slice(&piece[..n]);
    let mut rest = data;
    while enc.next_line_len() > 0 {
        let (line, r) = rest.split_at(enc.next_line_len());
        rest = r;
        let n = enc.line(line, &mut piece).unwrap();
        text.extend_from_slice(&piece[..n]);
    }
    assert!(enc.line(b"x", &mut piece).is_err());
    let n = enc.end(&mut piece).unwrap();
    text.extend_from_slice(&piece[..n]);
    text
}

fn unarmor_streaming(text: &[u8], capacity: usize) -> Result<Vec<u8>, ArmorError> {
    let mut dec = Decoder::new(capacity);
    let mut out = Vec::new();
    let mut line = [0u8; BYTES_PER_LINE];
    for l in text.split(|&b| b == b'\n') {
        match dec.line(l, &mut line)? {
            Step::Data(n) => out.extend_from_slice(&line[..n]),
            Step::End(n) => {
                assert_eq!(n, out.len());
                assert_eq!(dec.length(), Some(n));
                return Ok(out);
            }
            Step::Other => {}
        }
    }
    Err(dec.finish())
}

#[test]
fn the_streaming_encoder_writes_the_same_text() {
    for len in (0..=61).chain([199, 200, 201, 20 * 10_000 + 7]) {
        let data: Vec<u8> = (0..len).map(|i| (i * 37 + i / 256) as u8).collect();
        let text = armor(&data);
        assert_eq!(armor_streaming(&data), text.as_bytes(), "len {len}");
        assert_eq!(
            unarmor_streaming(text.as_bytes(), usize::MAX).unwrap(),
            data
        );
    }
    let mut enc = Encoder::new(21);
    let mut piece = [0u8; MAX_PIECE_LEN];
    assert!(enc.end(&mut piece).is_err());
    assert!(enc.line(&[0; 21], &mut piece).is_err());
    assert!(enc.line(&[0; 20], &mut piece).is_ok());
    assert!(enc.end(&mut piece).is_err());
}

#[test]
fn the_streaming_decoder_reports_what_decode_reports() {
    let data: Vec<u8> = (0..70u8).collect();
    let text = armor(&data);
    let mut cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"hello".to_vec(),
        BEGIN.as_bytes().to_vec(),
        format!("{BEGIN}\nVersion: 1\n").into_bytes(),
        format!("{BEGIN}\nVersion: 1\nLength: 5").into_bytes(),
        format!("{BEGIN}\nVersion: 1\nLength: 500\n").into_bytes(),
        format!("{BEGIN}\nLength: 5\n\n").into_bytes(),
    ];
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        let mut t = bytes.to_vec();
        t[i] ^= 0x01;
        cases.push(t);
        cases.push([&bytes[..i], &bytes[i + 1..]].concat());
        cases.push(bytes[..i].to_vec());
    }
    for t in &cases {
        for capacity in [10, 70, 200] {
            let mut out = vec![0u8; capacity];
            let whole = decode(t, &mut out).map(|n| out[..n].to_vec());
            assert_eq!(unarmor_streaming(t, capacity), whole);
        }
    }
}

#[test]
fn layout_is_stable() {
    let text = armor(b"airvault armor test vector, 40 bytes...");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], BEGIN);
    assert_eq!(lines[1], "Version: 1");
    assert_eq!(lines[2], "Length: 39");
    assert_eq!(lines[3], "");
    assert!(lines[4].starts_with("0001: "));
    assert_eq!(lines[4].len(), "0001: ".len() + 32 + 7 + 2 + 4);
    assert!(lines[5].starts_with("0002: "));
    assert_eq!(lines[6], END);
}

#[test]
fn tolerates_case_whitespace_and_lookalikes() {
    let data: Vec<u8> = (0..=255u8).collect();
    let text = armor(&data);
    let sloppy: String = text
        .lines()
        .map(|l| {
            if l.starts_with(|c: char| c.is_ascii_digit()) {
                let lower = l.to_ascii_lowercase().replace('1', "l").replace('0', "o");
                // keep the line number digits intact; spacing changes freely
                let (num, rest) = l.split_at(5);
                let rest_lower = &lower[5..];
                let _ = rest;
                format!("  {num}{}   \r", rest_lower.replace(' ', "  "))
            } else {
                format!("{l}  ")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let framed = format!("Some notes from paper\n\n{sloppy}\n\ntrailing words");
    assert_eq!(unarmor(&framed).unwrap(), data);
}

#[test]
fn a_typo_is_named_by_line() {
    let data: Vec<u8> = (0..100u8).collect();
    let text = armor(&data);
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Data line 3 is text line 7. Change one character of its data.
    let l = &mut lines[6];
    let pos = 8;
    let c = l.as_bytes()[pos];
    let replacement = if c == b'A' { "B" } else { "A" };
    l.replace_range(pos..pos + 1, replacement);
    let typo = lines.join("\n");
    assert_eq!(
        unarmor(&typo),
        Err(ArmorError::BadLine {
            line: 7,
            data_line: 3
        })
    );
    let msg = format!("{}", unarmor(&typo).unwrap_err());
    assert!(msg.contains("line 7"), "{msg}");
}

#[test]
fn every_single_character_substitution_is_caught() {
    let data: Vec<u8> = (0..45u8).map(|i| i.wrapping_mul(91)).collect();
    let text = armor(&data);
    let bytes = text.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'\n' || c == b' ' {
            continue;
        }
        for &r in ALPHABET.iter() {
            if r.eq_ignore_ascii_case(&c) || b32_value(r) == b32_value(c) {
                continue;
            }
            let mut t = bytes.to_vec();
            t[i] = r;
            let t = String::from_utf8(t).unwrap();
            if let Ok(d) = unarmor(&t) {
                // The only accepted substitutions are in parts that carry no data.
                assert_eq!(d, data, "substitution at {i} changed the data silently");
            }
        }
    }
}

#[test]
fn missing_swapped_and_extra_lines() {
    let data: Vec<u8> = (0..70u8).collect();
    let text = armor(&data);
    let lines: Vec<&str> = text.lines().collect();
    let without = |skip: usize| -> String {
        lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        unarmor(&without(5)),
        Err(ArmorError::WrongLineNumber {
            line: 6,
            expected: 2
        })
    );
    assert!(matches!(
        unarmor(&without(7)),
        Err(ArmorError::MissingLines { expected: 4, .. })
    ));
    assert_eq!(unarmor(&without(8)), Err(ArmorError::NoEndLine));
    assert_eq!(unarmor("hello"), Err(ArmorError::NoBeginLine));
    let mut swapped = lines.clone();
    swapped.swap(4, 5);
    assert!(matches!(
        unarmor(&swapped.join("\n")),
        Err(ArmorError::WrongLineNumber { line: 5, .. })
    ));
    let bad_version = text.replace("Version: 1", "Version: 2");
    assert_eq!(
        unarmor(&bad_version),
        Err(ArmorError::UnsupportedVersion { line: 2 })
    );
    let bad_len = text.replace("Length: 70", "Length: 71");
    assert!(unarmor(&bad_len).is_err());
    let mut small = [0u8; 10];
    assert_eq!(
        decode(text.as_bytes(), &mut small),
        Err(ArmorError::BufferTooSmall { needed: 70 })
    );
}

/// The armor of `data` with its text lines changed by `edit`.
fn edited(data: &[u8], edit: impl FnOnce(&mut Vec<String>)) -> String {
    let mut lines: Vec<String> = armor(data).lines().map(String::from).collect();
    edit(&mut lines);
    lines.join("\n")
}

#[test]
fn the_line_number_is_read_like_the_data() {
    let data: Vec<u8> = (0..45u8).collect();
    // `OOOl` is 0001, `ooo2` is 0002, and whitespace inside the number is ignored.
    let text = edited(&data, |l| {
        l[4] = l[4].replacen("0001", "OOOl", 1);
        l[5] = l[5].replacen("0002", "ooo2", 1);
        l[6] = l[6].replacen("0003", "0 0 0 3", 1);
    });
    assert_eq!(unarmor(&text).unwrap(), data);
    // Any number of leading zeros, or none.
    let text = edited(&data, |l| {
        l[4] = l[4].replacen("0001", "1", 1);
        l[5] = l[5].replacen("0002", "000000000000000002", 1);
    });
    assert_eq!(unarmor(&text).unwrap(), data);
    // Still a number: other letters are refused, and a number far too large is simply
    // not the one expected.
    let text = edited(&data, |l| l[5] = l[5].replacen("0002", "000A", 1));
    assert_eq!(unarmor(&text), Err(ArmorError::BadCharacter { line: 6 }));
    // Without the blank line, the first data line ends the header: one that is not a
    // line number is an unknown header line.
    let text = edited(&data, |l| {
        l.remove(3);
        l[3] = l[3].replacen("0001", "000A", 1);
    });
    assert_eq!(unarmor(&text), Err(ArmorError::BadHeader { line: 4 }));
    let text = edited(&data, |l| {
        l[5] = l[5].replacen("0002", "99999999999999999999", 1);
    });
    assert_eq!(
        unarmor(&text),
        Err(ArmorError::WrongLineNumber {
            line: 6,
            expected: 2
        })
    );
}

#[test]
fn the_check_is_the_last_four_characters_whatever_the_spacing() {
    let data: Vec<u8> = (0..45u8).collect();
    let text = edited(&data, |l| {
        for line in &mut l[4..7] {
            let (num, rest) = line.split_at(5);
            *line = format!("{num}{}", rest.replace(' ', ""));
        }
        l[5] = l[5].chars().flat_map(|c| [c, ' ']).collect();
    });
    assert_eq!(unarmor(&text).unwrap(), data);
}

#[test]
fn header_lines_once_each_in_either_order_the_blank_line_optional() {
    let data: Vec<u8> = (0..45u8).collect();
    let swapped = edited(&data, |l| l.swap(1, 2));
    assert_eq!(unarmor(&swapped).unwrap(), data);
    let no_blank = edited(&data, |l| {
        l.remove(3);
    });
    assert_eq!(unarmor(&no_blank).unwrap(), data);
    let blanks = edited(&data, |l| {
        l.insert(2, String::new());
        l.insert(1, "   ".into());
        l.insert(4, String::new());
    });
    assert_eq!(unarmor(&blanks).unwrap(), data);
    let spaced = edited(&data, |l| {
        l[1] = "  version :  0001 ".into();
        l[2] = "LENGTH:045".into();
    });
    assert_eq!(unarmor(&spaced).unwrap(), data);
    // Repeated, unknown, missing or unreadable header lines.
    let twice = edited(&data, |l| l.insert(2, "Version: 1".into()));
    assert_eq!(unarmor(&twice), Err(ArmorError::BadHeader { line: 3 }));
    let twice = edited(&data, |l| l.insert(3, "Length: 45".into()));
    assert_eq!(unarmor(&twice), Err(ArmorError::BadHeader { line: 4 }));
    let extra = edited(&data, |l| l.insert(3, "Comment: from the safe".into()));
    assert_eq!(unarmor(&extra), Err(ArmorError::BadHeader { line: 4 }));
    // After the blank line that follows both header lines, every line is data.
    let extra = edited(&data, |l| l.insert(4, "Comment: from the safe".into()));
    assert_eq!(unarmor(&extra), Err(ArmorError::BadCharacter { line: 5 }));
    let missing = edited(&data, |l| {
        l.remove(1);
    });
    assert_eq!(unarmor(&missing), Err(ArmorError::BadHeader { line: 4 }));
    let unreadable = edited(&data, |l| l[2] = "Length: 4 5".into());
    assert_eq!(unarmor(&unreadable), Err(ArmorError::BadHeader { line: 3 }));
    let unreadable = edited(&data, |l| l[1] = "Version: one".into());
    assert_eq!(unarmor(&unreadable), Err(ArmorError::BadHeader { line: 2 }));
    let huge = edited(&data, |l| l[2] = format!("Length: {}0", usize::MAX));
    assert_eq!(unarmor(&huge), Err(ArmorError::BadHeader { line: 3 }));
    // An empty armor needs no blank line either.
    assert_eq!(
        unarmor(&format!("{BEGIN}\nVersion: 1\nLength: 0\n{END}\n")),
        Ok(Vec::new())
    );
    assert_eq!(unarmor(&armor(&[])), Ok(Vec::new()));
}

#[test]
fn an_unknown_version_is_unsupported_not_malformed() {
    let data: Vec<u8> = (0..45u8).collect();
    for v in ["2", "0", "10", "002"] {
        let text = edited(&data, |l| l[1] = format!("Version: {v}"));
        assert_eq!(
            unarmor(&text),
            Err(ArmorError::UnsupportedVersion { line: 2 }),
            "{v}"
        );
    }
    let msg = ArmorError::UnsupportedVersion { line: 2 }.to_string();
    assert!(msg.contains("unsupported"), "{msg}");
}

#[test]
fn a_non_zero_final_padding_has_its_own_error() {
    // 21 bytes: data line 2 carries one byte, two characters with 2 unused bits.
    let data: Vec<u8> = (0..21u8).map(|i| i.wrapping_mul(40)).collect();
    let text = armor(&data);
    let lines: Vec<&str> = text.lines().collect();
    let line2 = lines[5];
    let (head, check) = line2.rsplit_once("  ").unwrap();
    let last = head.as_bytes()[head.len() - 1];
    let value = b32_value(last).unwrap();
    assert_eq!(value & 0b11, 0);
    // The same byte with its unused bits set: the check still matches.
    let padded = ALPHABET[usize::from(value | 0b01)] as char;
    let bad = format!("{}{padded}  {check}", &head[..head.len() - 1]);
    let t = text.replace(line2, &bad);
    assert_eq!(
        unarmor(&t),
        Err(ArmorError::NonZeroPadding {
            line: 6,
            data_line: 2
        })
    );
    let msg = ArmorError::NonZeroPadding {
        line: 6,
        data_line: 2,
    }
    .to_string();
    assert!(msg.contains("line 6") && !msg.contains("check"), "{msg}");
    // A character that changes the data too fails the check, which is reported.
    let changed = ALPHABET[usize::from((value ^ 0b100) | 0b01)] as char;
    let bad = format!("{}{changed}  {check}", &head[..head.len() - 1]);
    let t = text.replace(line2, &bad);
    assert_eq!(
        unarmor(&t),
        Err(ArmorError::BadLine {
            line: 6,
            data_line: 2
        })
    );
}

#[test]
fn the_begin_line_is_found_in_any_case() {
    let text = armor(b"abc").replace(BEGIN, &BEGIN.to_ascii_lowercase());
    assert!(is_armored(text.as_bytes()));
    assert_eq!(unarmor(&text).unwrap(), b"abc");
    assert!(!is_armored(b"-----BEGIN AIRVAULT BACKUP----"));
}
