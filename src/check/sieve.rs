//! Which words a Hunspell dictionary cannot hold, told in about a microsecond.
//!
//! Suggesting tries a thousand candidates for a long French word, and spellbook takes some tens
//! of microseconds to refuse one, trying each way its affix rules could have made it. A word the
//! dictionary holds is a stem, cut at its end by a suffix rule's strip, with at most a prefix
//! before it and one or two suffixes after it. So, lowercased, it is a prefix's text, then the
//! beginning of some stem, then the text of a suffix (or of two). A candidate that cannot be cut
//! so is not a word, and spellbook is not asked. The test is sound: it never refuses a word
//! spellbook would accept, and where the affix file does what it does not follow (compounding,
//! two prefixes, letters to ignore, Turkish or German case rules), there is no sieve.

use std::collections::{BTreeSet, HashMap, HashSet};

/// The most pairs of suffixes a sieve tries, and the most texts they leave it keeps: past
/// them, the affix file's suffixes combine too much for the sieve to pay.
const MOST_PAIRS: usize = 1 << 22;
const MOST_TAILS: usize = 200_000;

pub struct Sieve {
    /// One bit for each beginning of a stem, lowercased, at its hash: a text whose bit is
    /// clear begins no stem. Two texts may share a bit, which only lets more through.
    begun: Vec<u64>,
    bits: u32,
    /// The hash of each prefix's text, lowercased, with whether a rule that adds it strips the
    /// stem's beginning (the stem then no longer begins the word); in order.
    prefixes: Vec<(u64, bool)>,
    longest_prefix: usize,
    /// The hashes, read from the end, of the texts one suffix, or an inner and an outer suffix
    /// together, leave at a word's end; in order.
    tails: Vec<u64>,
    longest_tail: usize,
    /// Texts spellbook reads otherwise (its input conversions, its word breaks): a word with
    /// one is let through. A word with a letter of one, or with what is not a letter, is too.
    unfollowed: Vec<String>,
    unfollowed_letters: HashSet<char>,
}

/// One affix rule, as the sieve needs it.
struct Rule<'a> {
    suffix: bool,
    flag: &'a str,
    strip: &'a str,
    add: &'a str,
    /// The flags of the affixes that may follow this one.
    then: Vec<&'a str>,
}

/// What the sieve reads of an affix file.
struct Affixes<'a> {
    rules: Vec<Rule<'a>>,
    /// The texts spellbook reads otherwise: its input conversions and its word breaks.
    unfollowed: Vec<&'a str>,
}

impl Sieve {
    /// The sieve of the dictionary `aff`/`dic`, or none when its affix file does what the sieve
    /// does not follow.
    pub fn of(aff: &str, dic: &str) -> Option<Sieve> {
        let Affixes { rules, unfollowed } = affixes(aff)?;
        // A word holding a text with one letter holds the letter; with one of two letters and
        // more, all its letters, so one that is not a letter lets it through anyway.
        let unfollowed_letters = unfollowed
            .iter()
            .filter_map(|t| t.chars().next().filter(|_| t.chars().count() == 1))
            .collect();
        let unfollowed = unfollowed
            .into_iter()
            .filter(|t| t.chars().count() > 1 && t.chars().all(char::is_alphabetic))
            .map(str::to_string)
            .collect();
        let mut prefixes: HashMap<String, bool> = HashMap::new();
        for rule in rules.iter().filter(|r| !r.suffix) {
            *prefixes.entry(lower(rule.add)).or_default() |= !rule.strip.is_empty();
        }
        // A prefix that strips and adds nothing could begin any word with any stem's middle.
        if prefixes.get("") == Some(&true) {
            return None;
        }
        let (tails, longest_tail) = tails(&rules)?;
        // About a bit a byte of stems: one text in ten or so that begins no stem shares a bit
        // with one that does, and the set stays in a core's cache while it is built.
        let bits = dic.len().next_power_of_two().trailing_zeros().clamp(16, 26);
        let mut hashed: Vec<(u64, bool)> = prefixes
            .iter()
            .map(|(t, s)| (hash(t.bytes()), *s))
            .collect();
        hashed.sort_unstable();
        Some(Sieve {
            begun: begun(dic, bits),
            bits,
            longest_prefix: prefixes.keys().map(String::len).max().unwrap_or(0),
            prefixes: hashed,
            tails,
            longest_tail,
            unfollowed,
            unfollowed_letters,
        })
    }

    /// False when the dictionary cannot hold `word` in any case; true when it may.
    pub fn may_hold(&self, word: &str) -> bool {
        if word
            .chars()
            .any(|c| !c.is_alphabetic() || self.unfollowed_letters.contains(&c))
            || self.unfollowed.iter().any(|t| word.contains(t.as_str()))
        {
            return true;
        }
        let word = lower(word);
        let bytes = word.as_bytes();
        // Where suffixes' text may begin: at a letter, no further from the end than the longest.
        let first = word.len().saturating_sub(self.longest_tail);
        let mut tail_at = vec![false; word.len() + 1];
        let mut h = OFFSET;
        for at in (first..=word.len()).rev() {
            if word.is_char_boundary(at) {
                tail_at[at] = self.tails.binary_search(&h).is_ok();
            }
            if at > 0 {
                h = absorb(h, bytes[at - 1]);
            }
        }
        let mut h = OFFSET;
        for p in 0..=word.len().min(self.longest_prefix) {
            if p > 0 {
                h = absorb(h, bytes[p - 1]);
            }
            if !word.is_char_boundary(p) {
                continue;
            }
            match self.prefixes.binary_search_by_key(&h, |&(h, _)| h) {
                Ok(i) if self.prefixes[i].1 => return true,
                Err(_) if p > 0 => continue,
                _ => {}
            }
            // The stem's part ends where the stem's beginning reaches, or before; the rest is
            // the suffixes' text.
            let reach = p + self.reach(&bytes[p..]);
            if (p.max(first)..=reach).any(|s| tail_at[s]) {
                return true;
            }
        }
        false
    }

    /// How many bytes of `word` some stem begins with, or may.
    fn reach(&self, word: &[u8]) -> usize {
        let (mut h, mut reach) = (OFFSET, 0);
        for (i, &b) in word.iter().enumerate() {
            h = absorb(h, b);
            // A letter ends where the next one begins, or the word.
            if word.get(i + 1).is_none_or(|&n| n & 0xC0 != 0x80) {
                if !bit(&self.begun, self.bits, h) {
                    break;
                }
                reach = i + 1;
            }
        }
        reach
    }
}

/// FNV-1a over bytes: the texts it hashes are a few letters long.
const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn absorb(h: u64, byte: u8) -> u64 {
    (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
}

fn hash(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(OFFSET, absorb)
}

/// Where `h` falls in a set of `2^bits` bits: its high bits, mixed.
fn slot(h: u64, bits: u32) -> usize {
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

fn bit(set: &[u64], bits: u32, h: u64) -> bool {
    let at = slot(h, bits);
    set[at / 64] & (1 << (at % 64)) != 0
}

/// The bits of every beginning of a stem of `dic`, lowercased: a byte at a time, since a
/// dictionary has millions.
fn begun(dic: &str, bits: u32) -> Vec<u64> {
    let mut set = vec![0u64; 1 << (bits - 6)];
    let mut mark = |h: u64| {
        let at = slot(h, bits);
        set[at / 64] |= 1 << (at % 64);
    };
    // The first line is the count of stems; a stem ends its line, or at its flags or fields.
    let body = dic.split_once('\n').map_or("", |(_, rest)| rest);
    let bytes = body.as_bytes();
    let (mut h, mut i) = (OFFSET, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            h = OFFSET;
            i += 1;
        } else if b == b'/' || b == b'\t' {
            i += bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(bytes.len() - i);
        } else if b.is_ascii() {
            h = absorb(h, b.to_ascii_lowercase());
            mark(h);
            i += 1;
        } else {
            let c = body[i..].chars().next().unwrap_or_default();
            let mut buf = [0u8; 4];
            for l in c.to_lowercase() {
                h = l.encode_utf8(&mut buf).bytes().fold(h, absorb);
                mark(h);
            }
            i += c.len_utf8();
        }
    }
    set
}

/// Lowercased letter by letter, the same way for stems and words (`str::to_lowercase` reads a
/// final sigma by its context).
fn lower(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// The affix rules of `aff` and the texts spellbook reads otherwise, or none when the file
/// uses what the sieve does not follow.
fn affixes<'a>(aff: &'a str) -> Option<Affixes<'a>> {
    let mut flag_type = "";
    // The first `AF` line counts the flag sets the others name by their rank.
    let mut aliases: Vec<&str> = Vec::new();
    let mut lines = Vec::new();
    let mut unfollowed = Vec::new();
    for line in aff.lines() {
        let mut words = line.split_whitespace();
        let (Some(first), second) = (words.next(), words.next()) else {
            continue;
        };
        match (first, second) {
            (w, _) if w.starts_with("COMPOUND") => return None,
            ("COMPLEXPREFIXES" | "CHECKSHARPS" | "IGNORE", _) => return None,
            ("LANG", Some(lang)) if ["tr", "az", "crh"].iter().any(|t| lang.starts_with(t)) => {
                return None;
            }
            ("FLAG", Some(t)) => flag_type = t,
            ("AF", Some(set)) => aliases.push(set),
            ("ICONV", Some(from)) if words.next().is_some() => unfollowed.push(from),
            ("BREAK", Some(pattern)) if pattern.parse::<usize>().is_err() => {
                unfollowed.push(pattern.trim_start_matches('^').trim_end_matches('$'));
            }
            ("PFX" | "SFX", Some(flag)) => {
                if let (Some(strip), Some(add), Some(_)) =
                    (words.next(), words.next(), words.next())
                {
                    lines.push((first == "SFX", flag, strip, add));
                }
            }
            _ => {}
        }
    }
    let flags = |s: &'a str| -> Vec<&'a str> {
        let s = match s.parse::<usize>() {
            Ok(n) if !aliases.is_empty() => aliases.get(n).copied().unwrap_or(""),
            _ => s,
        };
        let per = if flag_type == "long" { 2 } else { 1 };
        match flag_type {
            "num" => s.split(',').filter(|f| !f.is_empty()).collect(),
            _ => {
                let starts: Vec<usize> = s.char_indices().map(|(i, _)| i).step_by(per).collect();
                let ends = starts.iter().skip(1).copied().chain([s.len()]);
                starts.iter().zip(ends).map(|(&a, b)| &s[a..b]).collect()
            }
        }
    };
    let zero = |s: &'a str| if s == "0" { "" } else { s };
    let rules = lines
        .into_iter()
        .map(|(suffix, flag, strip, add)| {
            let (add, then) = add.split_once('/').unwrap_or((add, ""));
            Rule {
                suffix,
                flag,
                strip: zero(strip),
                add: zero(add),
                then: flags(then),
            }
        })
        .collect();
    Some(Affixes { rules, unfollowed })
}

/// The texts suffixes leave at a word's end: one suffix's, or an inner suffix's (less what the
/// outer one strips of it) and then an outer one's, where the inner suffix, or a prefix, lets
/// the outer one follow. Their hashes, read from the end, in order, and the longest's length.
fn tails(rules: &[Rule]) -> Option<(Vec<u64>, usize)> {
    let suffixes: Vec<&Rule> = rules.iter().filter(|r| r.suffix).collect();
    // Each suffix's text lowercased, and how long its strip is lowercased: a text lowercased
    // is its parts lowercased, one after the other.
    let lowered: Vec<(String, usize)> = suffixes
        .iter()
        .map(|r| (lower(r.add), lower(r.strip).len()))
        .collect();
    let mut by_flag: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, rule) in suffixes.iter().enumerate() {
        by_flag.entry(rule.flag).or_default().push(i);
    }
    let after_prefix: BTreeSet<&str> = rules
        .iter()
        .filter(|r| !r.suffix)
        .flat_map(|r| r.then.iter().copied())
        .filter(|f| by_flag.contains_key(f))
        .collect();
    let mut hashes: Vec<u64> = lowered.iter().map(|(t, _)| hash(t.bytes().rev())).collect();
    hashes.push(OFFSET);
    let mut longest = lowered.iter().map(|(t, _)| t.len()).max().unwrap_or(0);
    let mut pairs = 0;
    for (inner, (inner_text, _)) in suffixes.iter().zip(&lowered) {
        let then: BTreeSet<&str> = inner.then.iter().copied().collect();
        for &o in then
            .union(&after_prefix)
            .filter_map(|f| by_flag.get(f))
            .flatten()
        {
            pairs += 1;
            if pairs > MOST_PAIRS {
                return None;
            }
            if !inner.add.ends_with(suffixes[o].strip) {
                continue;
            }
            let (outer_text, stripped) = &lowered[o];
            let kept = &inner_text[..inner_text.len() - stripped];
            hashes.push(hash(outer_text.bytes().rev().chain(kept.bytes().rev())));
            longest = longest.max(kept.len() + outer_text.len());
        }
        if hashes.len() > MOST_TAILS {
            return None;
        }
    }
    hashes.sort_unstable();
    hashes.dedup();
    Some((hashes, longest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small affix file with every way a word is made: a suffix that strips, two suffixes, a
    /// prefix, a prefix that strips, and a prefix that lets a suffix follow.
    const AFF: &str = "SET UTF-8
FLAG long
ICONV 1
ICONV ’ '
PFX Pa Y 1
PFX Pa 0 re .
PFX Pb Y 1
PFX Pb é ô é
PFX Pc Y 1
PFX Pc 0 kilo/S. .
SFX Sa Y 2
SFX Sa er ons/S. er
SFX Sa er ait er
SFX S. Y 1
SFX S. 0 s .
SFX Sb Y 1
SFX Sb ons èrent/S. ons
";

    const DIC: &str = "4
parler/SaPa
école/Pb
mètre/Pc
Bamako
";

    fn sieve() -> Sieve {
        Sieve::of(AFF, DIC).expect("a sieve")
    }

    #[test]
    fn every_word_the_dictionary_makes_passes() {
        let dictionary = spellbook::Dictionary::new(AFF, DIC).unwrap();
        let sieve = sieve();
        for word in [
            "parler",
            "parlons",
            "parlait",
            "parlonss",
            "reparlons",
            "Reparlait",
            "école",
            "ôcole",
            "kilomètre",
            "kilomètres",
            "Bamako",
            "BAMAKO",
            "bamako",
        ] {
            assert!(sieve.may_hold(word), "{word}");
        }
        for word in ["parlons", "reparlons", "kilomètre", "Bamako", "ôcole"] {
            assert!(dictionary.check(word), "{word}");
        }
    }

    #[test]
    fn a_word_no_stem_and_affixes_make_is_refused() {
        let sieve = sieve();
        for word in [
            "parlxns",
            "parlo",
            "pzrler",
            "kilomètrex",
            "rebamakox",
            "Bamakox",
        ] {
            assert!(!sieve.may_hold(word), "{word}");
        }
    }

    #[test]
    fn what_spellbook_reads_otherwise_is_let_through() {
        let sieve = sieve();
        // An input conversion, a number, a break, an abbreviation.
        for word in ["parl’ons", "1234", "parlons-xyz", "xyz."] {
            assert!(sieve.may_hold(word), "{word}");
        }
    }

    /// A hostile affix file whose suffixes all may follow each other costs a bounded time.
    #[test]
    fn suffixes_that_combine_too_much_give_no_sieve() {
        let mut aff = String::from("SFX A Y 2100\n");
        for i in 0..2100 {
            aff.push_str(&format!("SFX A 0 a{i}/B .\n"));
        }
        aff.push_str("SFX B Y 2100\n");
        for i in 0..2100 {
            aff.push_str(&format!("SFX B zz b{i} .\n"));
        }
        assert!(Sieve::of(&aff, DIC).is_none());
        // Fewer pairs are followed.
        let few: String = aff
            .lines()
            .filter(|l| !l.contains("a1"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(Sieve::of(&few, DIC).is_some());
    }

    #[test]
    fn an_affix_file_it_cannot_follow_has_no_sieve() {
        for aff in [
            "COMPOUNDFLAG X\n",
            "COMPLEXPREFIXES\n",
            "CHECKSHARPS\n",
            "IGNORE ־\n",
            "LANG tr_TR\n",
            "PFX A Y 1\nPFX A a 0 .\n",
        ] {
            assert!(Sieve::of(aff, DIC).is_none(), "{aff}");
        }
    }
}
