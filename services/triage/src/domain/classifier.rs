//! Classifying a report against one catalogue version: Chinese is segmented by jieba (with
//! the catalogue's words added to its dictionary, so "儿童电动滑板车" becomes 儿童 / 电动 /
//! 滑板车), English is split into lowercase words with a light plural stemmer.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, RwLock},
};

use jieba_rs::Jieba;

use super::catalogue::Catalogue;

/// Below this confidence a report waits in the unclassified queue for a person.
pub const THRESHOLD: f64 = 0.5;

/// Evidence weights: the product name says most about the category, the free text less,
/// and the station's own category counts as one strong hint.
const PRODUCT_WEIGHT: f64 = 3.0;
const TEXT_WEIGHT: f64 = 1.0;
const DECLARED_WEIGHT: f64 = 2.0;
/// The evidence at which a category is certain if nothing competes: one product-name hit.
const FULL_STRENGTH: f64 = 3.0;

/// The outcome of classifying a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// `None` when the confidence is below [`THRESHOLD`].
    pub category: Option<String>,
    /// The best candidate even when below the threshold, for the person who decides.
    pub candidate: Option<String>,
    /// 0.0 to 1.0.
    pub confidence: f64,
}

/// A catalogue version ready to classify with.
#[derive(Clone)]
pub struct Classifier {
    pub catalogue: Catalogue,
    jieba: Jieba,
    /// Single-token words (normalised) and the categories they point to.
    words: HashMap<String, Vec<usize>>,
    /// English phrases of several words, as ` word word ` with their categories.
    phrases: Vec<(String, usize)>,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("version", &self.catalogue.version)
            .finish()
    }
}

impl Classifier {
    /// Builds the segmenter and the keyword index. Loading jieba's dictionary takes a
    /// fraction of a second: done once per catalogue version, never per report.
    pub fn new(catalogue: Catalogue) -> Self {
        let mut jieba = Jieba::new();
        let mut words: HashMap<String, Vec<usize>> = HashMap::new();
        let mut phrases = Vec::new();
        for (index, category) in catalogue.categories.iter().enumerate() {
            for word in category.words() {
                let normal = word.trim().to_lowercase();
                if normal.is_ascii() {
                    let tokens: Vec<String> = english_tokens(&normal).collect();
                    if tokens.len() > 1 {
                        phrases.push((format!(" {} ", tokens.join(" ")), index));
                        continue;
                    }
                    if let Some(token) = tokens.into_iter().next() {
                        words.entry(token).or_default().push(index);
                    }
                } else {
                    // A high frequency makes jieba keep the keyword whole.
                    jieba.add_word(&normal, Some(100_000), None);
                    words.entry(normal).or_default().push(index);
                }
            }
        }
        Self {
            catalogue,
            jieba,
            words,
            phrases,
        }
    }

    /// The tokens of `text`: jieba's words (search mode, so long words also yield the
    /// dictionary words inside them) and stemmed lowercase English words.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        let mut tokens = Vec::new();
        for token in self.jieba.cut_for_search(&lower, true) {
            let word = token.word.trim();
            if word.is_empty() {
                continue;
            }
            if word.is_ascii() {
                tokens.extend(english_tokens(word));
            } else {
                tokens.push(word.to_owned());
            }
        }
        tokens
    }

    /// Scores each category by the distinct catalogue words in the product name and in the
    /// text; the best wins, its confidence being its share of all evidence times its
    /// strength. A declared category that exists counts as evidence too.
    pub fn classify(&self, product: &str, text: &str, declared: Option<&str>) -> Classification {
        let mut scores = vec![0.0_f64; self.catalogue.categories.len()];
        let product_hits = self.hits(product);
        for &index in &product_hits {
            scores[index] += PRODUCT_WEIGHT;
        }
        for index in self.hits(text) {
            if !product_hits.contains(&index) {
                scores[index] += TEXT_WEIGHT;
            }
        }
        if let Some(index) = declared.and_then(|code| {
            self.catalogue
                .categories
                .iter()
                .position(|c| c.code == code)
        }) {
            scores[index] += DECLARED_WEIGHT;
        }
        let total: f64 = scores.iter().sum();
        let best = scores
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .filter(|(_, score)| **score > 0.0);
        let Some((index, &best_score)) = best else {
            return Classification {
                category: None,
                candidate: None,
                confidence: 0.0,
            };
        };
        let strength = (best_score / FULL_STRENGTH).min(1.0);
        let confidence = ((best_score / total) * strength * 100.0).round() / 100.0;
        let code = self.catalogue.categories[index].code.clone();
        Classification {
            category: (confidence >= THRESHOLD).then(|| code.clone()),
            candidate: Some(code),
            confidence,
        }
    }

    /// Each catalogue word found in `text` counts once per (word, category): repeating a
    /// word does not make a category more likely, several different words do.
    fn hits(&self, text: &str) -> Vec<usize> {
        let tokens = self.tokens(text);
        let mut found: HashSet<(&str, usize)> = HashSet::new();
        for token in &tokens {
            if let Some((word, categories)) = self.words.get_key_value(token.as_str()) {
                for &index in categories {
                    found.insert((word.as_str(), index));
                }
            }
        }
        if !self.phrases.is_empty() {
            let english: Vec<&str> = tokens
                .iter()
                .map(String::as_str)
                .filter(|t| t.is_ascii())
                .collect();
            let joined = format!(" {} ", english.join(" "));
            for (phrase, index) in &self.phrases {
                if joined.contains(phrase.as_str()) {
                    found.insert((phrase.as_str(), *index));
                }
            }
        }
        // The longest match wins: "一次性餐具" is a disposable container, not the
        // tableware that "餐具" alone would suggest; "motor oil" is not a motor.
        let words: Vec<(String, usize)> = found
            .iter()
            .map(|(word, index)| (word.trim().to_owned(), *index))
            .collect();
        words
            .iter()
            .filter(|(word, index)| {
                !words.iter().any(|(other, i)| {
                    i != index && other.len() > word.len() && other.contains(word.as_str())
                })
            })
            .map(|(_, index)| *index)
            .collect()
    }
}

/// The catalogue version in force. An admin's update replaces it as a whole; a report being
/// classified keeps the version it started with.
#[derive(Debug)]
pub struct Current(RwLock<Arc<Classifier>>);

impl Current {
    pub fn new(classifier: Classifier) -> Self {
        Self(RwLock::new(Arc::new(classifier)))
    }

    /// The classifier in force.
    pub fn get(&self) -> Arc<Classifier> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Puts `classifier` in force, unless a newer version already is (two updates racing).
    pub fn replace(&self, classifier: Classifier) {
        let mut current = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if classifier.catalogue.version >= current.catalogue.version {
            *current = Arc::new(classifier);
        }
    }
}

/// Lowercase English words, plurals folded ("heaters" → "heater", "batteries" →
/// "battery"), so a keyword in the singular finds the plural.
fn english_tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| stem(&w.to_ascii_lowercase()))
}

fn stem(word: &str) -> String {
    if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if word.len() > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
    {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Classifier {
        Classifier::new(Catalogue::shipped())
    }

    #[test]
    fn a_product_name_decides_its_category() {
        let result = shipped().classify("儿童电动滑板车", "电池起火", None);
        assert_eq!(result.category.as_deref(), Some("children_products"));
        assert!(result.confidence >= THRESHOLD);
    }

    #[test]
    fn catalogue_keywords_are_segmented_as_whole_words() {
        let tokens = shipped().tokens("儿童电动滑板车刹车失灵");
        assert!(tokens.contains(&"滑板车".to_owned()), "{tokens:?}");
    }

    #[test]
    fn english_names_are_classified_with_plurals_and_phrases() {
        let classifier = shipped();
        let result = classifier.classify("Power bank 20000mAh", "", None);
        assert_eq!(result.category.as_deref(), Some("household_appliances"));
        let result = classifier.classify("Portable heaters", "overheating", None);
        assert_eq!(result.category.as_deref(), Some("household_appliances"));
    }

    #[test]
    fn the_longest_keyword_wins() {
        let classifier = shipped();
        let result = classifier.classify("一次性餐具", "", None);
        assert_eq!(
            result.category.as_deref(),
            Some("disposable_food_containers")
        );
        let result = classifier.classify("Motor oil", "", None);
        assert_eq!(result.category.as_deref(), Some("lubricating_oil"));
        let result = classifier.classify("Explosion-proof motor", "", None);
        assert_eq!(
            result.category.as_deref(),
            Some("explosion_proof_electrical")
        );
    }

    #[test]
    fn a_substring_is_not_a_word() {
        // 电线 is a catalogue word; 无线电线路 is not about wires in jieba's segmentation
        // any more than "wireless" is about a "wire".
        let result = shipped().classify("wireless earbuds", "", None);
        assert_ne!(result.category.as_deref(), Some("wires_cables"));
    }

    #[test]
    fn an_unknown_product_goes_to_the_unclassified_queue() {
        let result = shipped().classify("神秘物品", "无", None);
        assert_eq!(result.category, None);
        assert!(result.confidence < THRESHOLD);
    }

    #[test]
    fn a_weak_hint_in_the_text_alone_is_not_enough() {
        let result = shipped().classify("某品牌产品", "学生反映质量一般", None);
        assert_eq!(result.category, None);
    }

    #[test]
    fn the_declared_category_tips_a_weak_case() {
        let result = shipped().classify("某品牌产品", "无", Some("masks"));
        assert_eq!(result.category.as_deref(), Some("masks"));
    }
}
