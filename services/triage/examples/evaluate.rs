//! Triage's quality on the labelled set, and the speed of its classification step.
//!
//! `cargo run --release -p triage --example evaluate` prints category accuracy, importance
//! recall and precision, duplicate-pair F1 and every confusion case; then classifies the set
//! over and over on one thread (segmentation, keywords, importance, hazards, MinHash) and
//! prints reports per second.

use std::time::Instant;

use triage::domain::{
    catalogue::Catalogue,
    classifier::Classifier,
    duplicate::DuplicateRule,
    evaluation::{self, SHIPPED_SET},
    hazard::Hazards,
    importance::Lexicon,
    similarity,
};

fn main() -> anyhow::Result<()> {
    let reports = evaluation::parse(SHIPPED_SET)?;
    let classifier = Classifier::new(Catalogue::shipped());
    let lexicon = Lexicon::shipped();
    let hazards = Hazards::shipped();
    let scores = evaluation::evaluate(&reports, &classifier, &lexicon, &DuplicateRule::default());
    let english = reports.iter().filter(|r| r.lang == "en").count();
    println!(
        "labelled set: {} reports ({} Chinese, {english} English)",
        reports.len(),
        reports.len() - english
    );
    println!(
        "category accuracy      {:.1} % ({}/{})",
        100.0 * scores.category_accuracy(),
        scores.category_correct,
        scores.reports
    );
    println!(
        "importance recall      {:.1} %",
        100.0 * scores.importance_recall()
    );
    println!(
        "importance precision   {:.1} %",
        100.0 * scores.importance_precision()
    );
    println!(
        "duplicate pairs        precision {:.3}, recall {:.3}, F1 {:.3} ({} expected, {} found, {} correct)",
        scores.pair_precision(),
        scores.pair_recall(),
        scores.pair_f1(),
        scores.pairs_expected,
        scores.pairs_found,
        scores.pairs_correct
    );
    let by_id = |id: &str| reports.iter().find(|r| r.id == id);
    println!("\ncategory confusions (expected → got):");
    for (id, expected, got, product) in &scores.category_errors {
        println!("  {id} {product}: {expected:?} → {got:?}");
    }
    for (title, ids) in [
        ("raised but not important", &scores.important_false_positive),
        ("important but not raised", &scores.important_false_negative),
    ] {
        println!("\n{title}:");
        for id in ids {
            if let Some(r) = by_id(id) {
                println!("  {id} {} — {}", r.product, r.content);
            }
        }
    }
    for (title, pairs) in [
        ("duplicate pairs missed", &scores.pairs_missed),
        ("pairs merged wrongly", &scores.pairs_wrong),
    ] {
        println!("\n{title}:");
        for (a, b) in pairs {
            if let (Some(a), Some(b)) = (by_id(a), by_id(b)) {
                println!("  {} {} | {} {}", a.id, a.content, b.id, b.content);
            }
        }
    }

    let rounds = 100;
    let started = Instant::now();
    let mut raised = 0usize;
    for _ in 0..rounds {
        for r in &reports {
            let text = format!("{} {}", r.product, r.content);
            let verdict = lexicon.judge(
                prism_contracts::ReportKind::Routine,
                r.casualties,
                &text,
                &[],
            );
            let classified = classifier.classify(&r.product, &text, None);
            let found = hazards.detect(&text.to_lowercase(), &[], &verdict.hazards);
            let signature = similarity::signature(&r.content);
            raised += usize::from(verdict.important)
                + usize::from(classified.category.is_some())
                + found.len()
                + signature.mins.len();
        }
    }
    let elapsed = started.elapsed();
    let n = rounds * reports.len();
    println!(
        "\nclassification step: {n} reports in {:.2} s on one thread = {:.0} reports/s ({:.1} µs each) [{raised}]",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
    Ok(())
}
