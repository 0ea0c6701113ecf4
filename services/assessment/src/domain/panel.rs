//! Drawing a case's expert panel at random ("double random", 双随机, seed 001): from the
//! experts qualified for the case's category, excluding anyone affiliated with the reporting
//! station or an involved enterprise. The draw is a pure function of the pool and a seed,
//! and the seed is kept, so anyone can replay a draw and check it was not hand-picked.

use rand::seq::SliceRandom as _;
use rand_chacha::{rand_core::SeedableRng as _, ChaCha8Rng};

use super::expert::same_party;

/// The smallest panel: two experts, like seed 004's assessor teams.
pub const MIN_PANEL: usize = 2;
/// The largest panel worth drawing.
pub const MAX_PANEL: usize = 9;

/// An expert as the draw sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub specialties: Vec<String>,
    pub affiliations: Vec<String>,
}

/// What a case tells the draw.
#[derive(Debug, Clone, Default)]
pub struct CaseParties {
    /// The case's category; `None` lets every specialty in.
    pub category: Option<String>,
    /// The reporting stations (ids and codes) and involved enterprises.
    pub parties: Vec<String>,
}

/// Why no panel could be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub qualified: usize,
    pub wanted: usize,
}

impl Candidate {
    /// Knows the category and owes nothing to any party of the case.
    pub fn qualifies_for(&self, case: &CaseParties) -> bool {
        let knows = case
            .category
            .as_ref()
            .is_none_or(|category| self.specialties.contains(category));
        let independent = !self
            .affiliations
            .iter()
            .any(|a| case.parties.iter().any(|p| same_party(a, p)));
        knows && independent
    }
}

/// `size` experts drawn uniformly from the qualified, in draw order. The pool is sorted by
/// id first, so the outcome depends on who is in the pool and the seed, never on the order
/// the database returned them in.
pub fn draw(
    pool: &[Candidate],
    case: &CaseParties,
    size: usize,
    seed: u64,
) -> Result<Vec<String>, Shortfall> {
    let mut qualified: Vec<&Candidate> = pool.iter().filter(|c| c.qualifies_for(case)).collect();
    if qualified.len() < size {
        return Err(Shortfall {
            qualified: qualified.len(),
            wanted: size,
        });
    }
    qualified.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Ok(qualified
        .choose_multiple(&mut rng, size)
        .map(|c| c.id.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn expert(id: &str, specialties: &[&str], affiliations: &[&str]) -> Candidate {
        Candidate {
            id: id.to_owned(),
            specialties: specialties.iter().map(|s| (*s).to_owned()).collect(),
            affiliations: affiliations.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn toys(parties: &[&str]) -> CaseParties {
        CaseParties {
            category: Some("children_products".to_owned()),
            parties: parties.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn pool() -> Vec<Candidate> {
        vec![
            expert("a", &["children_products"], &["SH-TI-001"]),
            expert("b", &["children_products", "household_appliances"], &[]),
            expert("c", &["household_appliances"], &[]),
            expert("d", &["children_products"], &["好孩子玩具有限公司"]),
            expert("e", &["children_products"], &[]),
            expert("f", &["children_products"], &["复旦大学"]),
        ]
    }

    #[test]
    fn the_draw_excludes_the_unqualified_and_the_affiliated() {
        let case = toys(&["sh-ti-001", "好孩子玩具有限公司"]);
        for seed in 0..200 {
            let panel = draw(&pool(), &case, 3, seed).expect("three qualify");
            let mut sorted = panel.clone();
            sorted.sort();
            assert_eq!(sorted, ["b", "e", "f"], "seed {seed}");
        }
        assert_eq!(
            draw(&pool(), &case, 4, 1),
            Err(Shortfall {
                qualified: 3,
                wanted: 4
            })
        );
    }

    #[test]
    fn the_same_seed_draws_the_same_panel_whatever_the_pool_order() {
        let case = toys(&[]);
        let mut reversed = pool();
        reversed.reverse();
        for seed in [7, 42, 2026] {
            assert_eq!(
                draw(&pool(), &case, 2, seed),
                draw(&reversed, &case, 2, seed)
            );
        }
    }

    #[test]
    fn every_qualified_expert_is_drawn_about_equally_often() {
        let case = toys(&[]);
        let mut counts: HashMap<String, u32> = HashMap::new();
        for seed in 0..4000 {
            for id in draw(&pool(), &case, 2, seed).expect("panel") {
                *counts.entry(id).or_default() += 1;
            }
        }
        // Five qualified, two drawn each time: 1 600 each on average.
        assert_eq!(counts.len(), 5, "{counts:?}");
        assert!(
            !counts.contains_key("c"),
            "c does not know children's products"
        );
        for (id, count) in counts {
            assert!((1400..=1800).contains(&count), "{id}: {count}");
        }
    }
}
