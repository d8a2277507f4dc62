//! "Did you mean …?" for a mistyped entry name: the vault's closest entry name by edit
//! distance, named in the error's hint.

use crate::error::CliError;
use crate::model::Vault;

/// The candidate closest to `typed` (optimal string alignment distance: a swap of two
/// neighbouring letters counts once), if it is close enough to be a typo: at most one edit
/// per three characters of `typed`, at least one and at most three. Ties go to the first
/// name in sort order.
#[must_use]
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (typed.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| *c != typed)
        .map(|c| (strsim::osa_distance(typed, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// The usage error for an entry `name` that `vault` does not hold, suggesting the closest
/// name it does hold.
#[must_use]
pub fn no_such_entry(vault: &Vault, name: &str) -> CliError {
    let what = format!("no entry named '{name}'");
    match closest(name, vault.entries.iter().map(|e| e.name.as_str())) {
        Some(near) => CliError::usage(what).hint(format!("did you mean {near}?")),
        None => CliError::usage(what).hint("'airvault list' shows the entries"),
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typos_are_matched_and_strangers_are_not() {
        let names = ["db-master-key", "api-token", "tls"];
        assert_eq!(closest("db-master-kye", names), Some("db-master-key"));
        assert_eq!(closest("api-tokn", names), Some("api-token"));
        assert_eq!(closest("tsl", names), Some("tls"));
        assert_eq!(closest("signing-key", names), None);
        assert_eq!(closest("x", names), None);
    }
}
