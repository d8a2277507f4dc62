//! The layering of the two shells, checked on their sources:
//!
//! - no module of `vault-cli` or `vault-wasm` imports another in a circle;
//! - no command module of `vault-cli` imports another command's internals (what two
//!   commands share lives in a module both depend on);
//! - neither shell opens records, checks the audit chain or merges versions itself: those
//!   rules live once in `vault-core` (its `model` module, feature `alloc`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// Every `.rs` file under `src`, by module path (`lib.rs`/`main.rs` are the crate root).
fn modules(src: &Path) -> BTreeMap<Module, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("a source directory") {
            let p = e.expect("a directory entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src).expect("under src").with_extension("");
        let mut parts: Module = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            parts.clear();
        }
        let text = std::fs::read_to_string(&f).expect("a source file");
        // A file's unit tests (an inline `mod tests` at its end) are not part of the
        // layering; their `super::` is the file itself.
        let text = match text.find("#[cfg(test)]\nmod tests") {
            Some(i) => &text[..i],
            None => &text[..],
        };
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        out.entry(parts).or_insert_with(String::new).push_str(&code);
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths a file names through `crate::`, `super::` and `self::`, each as module
/// segments (a group `a::{b, c::d}` gives `a::b` and `a::c`), resolved from `module`.
fn paths(module: &Module, code: &str) -> Vec<Module> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    // Which characters lie inside an inline `mod name { … }`, where `super::` is the file's
    // own module.
    let mut inline = vec![false; bytes.len()];
    let mut k = 0;
    while k < bytes.len() {
        let rest: String = bytes[k..bytes.len().min(k + 4)].iter().collect();
        if rest == "mod " && (k == 0 || !is_ident(bytes[k - 1])) {
            let mut j = k + 4;
            while j < bytes.len() && (is_ident(bytes[j]) || bytes[j] == ' ') {
                j += 1;
            }
            if bytes.get(j) == Some(&'{') {
                let mut depth = 0;
                let mut e = j;
                while e < bytes.len() {
                    match bytes[e] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    e += 1;
                }
                for x in inline.iter_mut().take(e.min(bytes.len())).skip(j) {
                    *x = true;
                }
                k = e;
                continue;
            }
        }
        k += 1;
    }
    let mut i = 0;
    while i < bytes.len() {
        let start_ok = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != ':';
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let base = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|b| rest.starts_with(b));
        let Some(base) = base.filter(|_| start_ok) else {
            i += 1;
            continue;
        };
        i += base.len();
        let mut prefix: Module = match base {
            "crate::" => Vec::new(),
            "super::" if inline[i - base.len()] => module.clone(),
            "super::" => module[..module.len().saturating_sub(1)].to_vec(),
            _ => module.clone(),
        };
        // Segments up to a group or the end of the path.
        loop {
            let s: String = bytes[i..].iter().take_while(|c| is_ident(**c)).collect();
            if s.is_empty() {
                break;
            }
            i += s.len();
            if s == "super" {
                prefix.pop();
            } else {
                prefix.push(s);
            }
            if bytes.get(i) == Some(&':') && bytes.get(i + 1) == Some(&':') {
                i += 2;
            } else {
                break;
            }
        }
        if bytes.get(i) == Some(&'{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            while i < bytes.len() {
                let c = bytes[i];
                i += 1;
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => items.push(std::mem::take(&mut item)),
                    _ if depth == 1 => item.push(c),
                    _ => {}
                }
            }
            items.push(item);
            for it in items {
                let first: String = it.trim().chars().take_while(|c| is_ident(*c)).collect();
                if first.is_empty() {
                    continue; // a trailing comma
                }
                let mut p = prefix.clone();
                if !first.is_empty() && first != "self" {
                    p.push(first);
                }
                out.push(p);
            }
        } else {
            out.push(prefix);
        }
    }
    out
}

/// The module a path lands in: its longest prefix that is a module.
fn resolve(mods: &BTreeMap<Module, String>, path: &Module) -> Option<Module> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| mods.contains_key(p))
}

/// In the crate root, paths that start with one of its modules without `crate::`
/// (`lock::target(…)`, `use input::PasswordSource`): elsewhere such paths name a module's
/// own children or another crate.
fn root_paths(mods: &BTreeMap<Module, String>, code: &str) -> Vec<Module> {
    let top: BTreeSet<&str> = mods
        .keys()
        .filter(|m| m.len() == 1)
        .map(|m| m[0].as_str())
        .collect();
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_ident(chars[i]) && (i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':') {
            let word: String = chars[i..].iter().take_while(|c| is_ident(**c)).collect();
            let after = i + word.len();
            if chars.get(after) == Some(&':')
                && chars.get(after + 1) == Some(&':')
                && top.contains(word.as_str())
            {
                out.push(vec![word.clone()]);
            }
            i = after;
        } else {
            i += 1;
        }
    }
    out
}

fn edges(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mods = modules(src);
    let mut out = BTreeMap::new();
    for (m, code) in &mods {
        let mut found = paths(m, code);
        if m.is_empty() {
            found.extend(root_paths(&mods, code));
        }
        let targets: BTreeSet<Module> = found
            .iter()
            .filter_map(|p| resolve(&mods, p))
            .filter(|t| t != m)
            .collect();
        out.insert(m.clone(), targets);
    }
    out
}

/// Every cycle's members (strongly connected components of more than one module).
fn cycles(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    // Reachability by repeated search: fine for a hundred modules.
    let reach = |from: &Module| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(m) = stack.pop() {
            for t in g.get(&m).into_iter().flatten() {
                if seen.insert(t.clone()) {
                    stack.push(t.clone());
                }
            }
        }
        seen
    };
    let all: BTreeMap<&Module, BTreeSet<Module>> = g.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<Vec<Module>> = Vec::new();
    for (m, r) in &all {
        if !r.contains(*m) {
            continue;
        }
        let comp: Vec<Module> = r
            .iter()
            .filter(|t| all.get(t).is_some_and(|rt| rt.contains(*m)))
            .cloned()
            .collect();
        if !out.contains(&comp) {
            out.push(comp);
        }
    }
    out
}

fn show(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn the_path_parser_reads_groups_and_super() {
    let m: Module = vec!["commands".into(), "salvage".into()];
    let p = paths(
        &m,
        "use super::{now, init::X}; use crate::a::{b::{c, d}, e}; mod inner { use super::y; }",
    );
    let p: Vec<String> = p.iter().map(show).collect();
    assert_eq!(
        p,
        [
            "commands::now",
            "commands::init",
            "a::b",
            "a::e",
            "commands::salvage::y"
        ]
        .map(String::from)
    );
}

#[test]
fn a_planted_cycle_is_found() {
    let mut g = BTreeMap::new();
    let a: Module = vec!["a".into()];
    let b: Module = vec!["b".into()];
    let c: Module = vec!["c".into()];
    g.insert(a.clone(), BTreeSet::from([b.clone()]));
    g.insert(b.clone(), BTreeSet::from([a.clone(), c.clone()]));
    g.insert(c.clone(), BTreeSet::new());
    assert_eq!(cycles(&g), vec![vec![a, b]]);
}

#[test]
fn no_module_of_either_shell_imports_another_in_a_circle() {
    for krate in ["vault-cli/src", "vault-wasm/src"] {
        let g = edges(&root().join(krate));
        assert!(g.len() > 5, "{krate}: its modules were found");
        let found = cycles(&g);
        assert!(
            found.is_empty(),
            "{krate}: import cycles: {:?}",
            found
                .iter()
                .map(|c| c.iter().map(show).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn no_command_imports_another_commands_internals() {
    let g = edges(&root().join("vault-cli/src"));
    let commands: Vec<&Module> = g
        .keys()
        .filter(|m| m.len() == 2 && m[0] == "commands")
        .collect();
    assert!(commands.len() > 10, "the command modules were found");
    let mut bad = Vec::new();
    for c in &commands {
        for t in &g[*c] {
            if t.len() >= 2 && t[0] == "commands" && t[..2] != c[..] {
                bad.push(format!("{} -> {}", show(c), show(t)));
            }
        }
    }
    assert!(bad.is_empty(), "commands importing other commands: {bad:?}");
}

#[test]
fn neither_shell_opens_records_checks_the_chain_or_merges_versions_itself() {
    // What only vault-core's model may do, by the names that do it.
    let forbidden = ["open_record(", "ChainVerifier"];
    for krate in ["vault-cli/src", "vault-wasm/src"] {
        for (m, code) in modules(&root().join(krate)) {
            for f in &forbidden {
                assert!(
                    !code.contains(f),
                    "{krate} {}: uses {f} itself; that belongs in vault-core's model",
                    show(&m)
                );
            }
            // Version merging: a salvage is the core's `Salvage`, never a map of versions
            // kept by the shell.
            assert!(
                !code.contains("BTreeMap<([u8; ENTRY_ID_LEN], u32)")
                    && !code.contains("BTreeMap<([u8; 16], u32)"),
                "{krate} {}: keeps entry versions in a map of its own",
                show(&m)
            );
        }
    }
}
