//! Near-duplicate text: MinHash over character bigrams. Chinese has no spaces, and the same
//! risk told by two stations shares many two-character runs (充电 / 电宝 / 鼓包 …) even when
//! the sentences differ, so the bigrams of each run of Chinese characters are shingles;
//! English runs give their words instead (character bigrams of English are too common to
//! tell texts apart). 256 hash functions estimate the Jaccard similarity to within about
//! ±0.03. A short report and a long one telling the same risk have a low Jaccard similarity
//! but a high overlap (the share of the shorter one's shingles found in the longer), so the
//! signature keeps the set size too and [`overlap`] derives the overlap from the estimate.
//!
//! A glossary (`data/glossary.json`) gives common English words of risk reports the Chinese
//! a station would write ("power bank" → 充电宝, "caught fire" → 起火), so the same risk told
//! in both languages shares shingles.

use std::{
    collections::{HashMap, HashSet},
    sync::LazyLock,
};

use serde::Deserialize;

const GLOSSARY: &str = include_str!("../../data/glossary.json");

#[derive(Debug, Deserialize)]
struct Glossary {
    phrases: HashMap<String, String>,
    words: HashMap<String, String>,
}

/// English phrases and words with their Chinese.
type Terms = (Vec<(String, String)>, HashMap<String, String>);

/// The glossary, phrases longest first so that "electric blanket" wins over "electric".
static TERMS: LazyLock<Terms> = LazyLock::new(|| {
    let glossary: Glossary =
        serde_json::from_str(GLOSSARY).expect("the shipped glossary is valid JSON");
    let mut phrases: Vec<(String, String)> = glossary.phrases.into_iter().collect();
    phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    (phrases, glossary.words)
});

/// Hash functions in a signature.
pub const SIGNATURE_LEN: usize = 256;

/// A MinHash signature with the size of the set it sketches.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Signature {
    /// Distinct bigrams in the text.
    pub size: u32,
    /// The minimum of each hash function over the bigrams.
    pub mins: Vec<u32>,
}

impl Signature {
    /// The stored form: the set size, then each minimum, as little-endian `u32`s (1,028
    /// bytes for 256 minima, against 2.7 KB as JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(4 * (1 + self.mins.len()));
        bytes.extend_from_slice(&self.size.to_le_bytes());
        for min in &self.mins {
            bytes.extend_from_slice(&min.to_le_bytes());
        }
        bytes
    }

    /// Reads [`Self::to_bytes`]'s form; `None` unless it is whole.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() < 4 || !bytes.len().is_multiple_of(4) {
            return None;
        }
        let mut words = bytes
            .chunks_exact(4)
            .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]));
        let size = words.next()?;
        Some(Self {
            size,
            mins: words.collect(),
        })
    }
}

/// English words too common to say anything about a risk.
const STOPWORDS: [&str; 24] = [
    "the", "and", "for", "with", "are", "was", "were", "has", "have", "had", "after", "from",
    "that", "this", "its", "their", "when", "while", "into", "than", "they", "not", "but", "been",
];

/// Letters, digits and CJK characters, lowercased; punctuation and spaces dropped, so
/// "充电宝，鼓包！" and "充电宝鼓包" are the same text.
pub fn normalise(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The shingles of `text`, hashed (FNV-1a): the character bigrams of each run of non-ASCII
/// letters (a lone character counts alone), and each ASCII word longer than two letters,
/// lowercased, not a stopword, with a plural `s` dropped.
pub fn shingles(text: &str) -> HashSet<u64> {
    let (phrases, words) = &*TERMS;
    let mut lower = text.to_lowercase();
    if lower.is_ascii() || lower.bytes().any(|b| b.is_ascii_alphabetic()) {
        for (english, chinese) in phrases {
            if lower.contains(english.as_str()) {
                lower = lower.replace(english.as_str(), &format!(" {chinese} "));
            }
        }
    }
    let mut found = HashSet::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush = |run: &mut Vec<char>, word: &mut String, found: &mut HashSet<u64>| {
        if run.len() == 1 {
            found.insert(fnv(run));
        }
        found.extend(run.windows(2).map(fnv));
        run.clear();
        let trimmed = word
            .strip_suffix('s')
            .filter(|w| w.len() > 2)
            .unwrap_or(word);
        let chinese = words.get(word.as_str()).or_else(|| words.get(trimmed));
        if let Some(chinese) = chinese {
            let chars: Vec<char> = chinese.chars().collect();
            if chars.len() == 1 {
                found.insert(fnv(&chars));
            }
            found.extend(chars.windows(2).map(fnv));
        } else if word.len() > 2 && !STOPWORDS.contains(&word.as_str()) {
            found.insert(fnv(&trimmed.chars().collect::<Vec<_>>()));
        }
        word.clear();
    };
    for c in lower.chars() {
        if c.is_ascii_alphanumeric() {
            if !run.is_empty() {
                flush(&mut run, &mut String::new(), &mut found);
            }
            word.push(c);
        } else if c.is_alphanumeric() {
            if !word.is_empty() {
                flush(&mut Vec::new(), &mut word, &mut found);
            }
            run.push(c);
        } else {
            flush(&mut run, &mut word, &mut found);
        }
    }
    flush(&mut run, &mut word, &mut found);
    found
}

/// The MinHash signature of `text`; empty text gives all `u32::MAX`.
pub fn signature(text: &str) -> Signature {
    sketch(&shingles(text))
}

fn sketch(shingles: &HashSet<u64>) -> Signature {
    let mins = (0..SIGNATURE_LEN as u64)
        .map(|seed| {
            shingles
                .iter()
                .map(|&s| (mix(s ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> 32) as u32)
                .min()
                .unwrap_or(u32::MAX)
        })
        .collect();
    Signature {
        size: u32::try_from(shingles.len()).unwrap_or(u32::MAX),
        mins,
    }
}

/// The estimated overlap coefficient |A∩B| / min(|A|, |B|): from the Jaccard estimate J
/// and the sizes, |A∩B| = J (|A| + |B|) / (1 + J).
pub fn overlap(a: &Signature, b: &Signature) -> f64 {
    let smaller = a.size.min(b.size);
    if smaller == 0 {
        return 0.0;
    }
    let jaccard = estimate(&a.mins, &b.mins);
    let shared = jaccard * f64::from(a.size + b.size) / (1.0 + jaccard);
    (shared / f64::from(smaller)).min(1.0)
}

/// The estimated Jaccard similarity of two signatures: the share of equal minima.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x == y && **x != u32::MAX)
        .count();
    equal as f64 / a.len() as f64
}

/// The exact overlap of two short texts' shingles (product names): "书包" and "学生书包"
/// overlap fully.
pub fn exact_overlap(a: &str, b: &str) -> f64 {
    let (a, b) = (shingles(a), shingles(b));
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / smaller as f64
}

/// The exact Jaccard similarity of two texts' shingles.
pub fn jaccard(a: &str, b: &str) -> f64 {
    let (a, b) = (shingles(a), shingles(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

fn fnv(chars: &[char]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for c in chars {
        for byte in (*c as u32).to_le_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// splitmix64's finaliser: spreads a seeded hash over all bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_with_other_punctuation_is_identical() {
        let a = signature("充电宝充电时鼓包，随后冒烟！");
        let b = signature("充电宝充电时鼓包 随后冒烟");
        assert_eq!(estimate(&a.mins, &b.mins), 1.0);
    }

    #[test]
    fn a_paraphrase_scores_higher_than_another_risk() {
        let base = signature("某品牌20000毫安充电宝在充电过程中外壳鼓包并冒烟");
        let paraphrase = signature("多名消费者反映该品牌20000毫安充电宝充电时鼓包冒烟");
        let other = signature("儿童玩具小零件易脱落，存在误吞风险");
        assert!(
            overlap(&base, &paraphrase) > 0.4,
            "{}",
            overlap(&base, &paraphrase)
        );
        assert!(overlap(&base, &other) < 0.1);
    }

    #[test]
    fn the_estimate_tracks_the_exact_jaccard() {
        let a = "电热水壶底座接线松动导致漏电，用户触电后送医";
        let b = "电热水壶底座接线松动漏电，已有用户触电";
        let exact = jaccard(a, b);
        let estimated = estimate(&signature(a).mins, &signature(b).mins);
        assert!((exact - estimated).abs() < 0.2, "{exact} vs {estimated}");
    }

    #[test]
    fn english_is_compared_by_words_and_plurals_fold() {
        assert_eq!(
            jaccard("Power banks swelling", "the power bank is swelling"),
            1.0
        );
        assert_eq!(exact_overlap("书包", "学生书包"), 1.0);
    }

    #[test]
    fn the_same_risk_in_english_and_chinese_overlaps() {
        let zh = signature("电动自行车电池在楼道充电时起火，造成1人死亡");
        let en = signature(
            "An e-bike battery caught fire while charging in a hallway; one resident died",
        );
        assert!(overlap(&zh, &en) > 0.5, "{}", overlap(&zh, &en));
        assert_eq!(exact_overlap("Power bank", "充电宝"), 1.0);
    }

    #[test]
    fn empty_texts_are_not_similar() {
        assert_eq!(overlap(&signature(""), &signature("")), 0.0);
        assert_eq!(jaccard("", ""), 0.0);
    }

    #[test]
    fn a_signature_reads_back_from_its_bytes() {
        let signed = signature("电暖器使用中外壳过热起火，儿童被烫伤");
        let bytes = signed.to_bytes();
        assert_eq!(bytes.len(), 4 * (1 + SIGNATURE_LEN));
        assert_eq!(Signature::from_bytes(&bytes), Some(signed));
        assert_eq!(Signature::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Signature::from_bytes(&[]), None);
    }
}
