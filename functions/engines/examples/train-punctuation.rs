//! Trains the punctuation model: `train-punctuation OUT_DIR TRAIN.txt…
//! [--held-out TEST.txt…]`, each file a paragraph a line (see
//! `scripts/punctuation/corpus.py`). Writes `weights.bin`, `vocabulary.txt`
//! and `truecase.txt`
//! into OUT_DIR and prints how it does on the held-out prose.

use std::path::PathBuf;

use coursegen_engines::ingest::punctuation::training::{
    Labelled, evaluate, labelled, runs, train, truecase, vocabulary,
};

const EPOCHS: u64 = 3;
const MIN_CASE_COUNT: usize = 3;
/// Words seen fewer times are known to the model by their shape only.
const MIN_WORD_COUNT: usize = 3;
/// Paragraphs are trained on in runs of this many words or more.
const RUN_WORDS: usize = 200;

fn read(paths: &[PathBuf]) -> Vec<Vec<Labelled>> {
    paths
        .iter()
        .flat_map(|p| {
            let paragraphs = std::fs::read_to_string(p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
                .lines()
                .map(labelled)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>();
            runs(paragraphs, RUN_WORDS)
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args
        .iter()
        .position(|a| a == "--held-out")
        .unwrap_or(args.len());
    let (train_args, held_args) = args.split_at(split);
    let Some((out, corpora)) = train_args.split_first() else {
        eprintln!("usage: train-punctuation OUT_DIR TRAIN.txt… [--held-out TEST.txt…]");
        std::process::exit(2);
    };
    let out = PathBuf::from(out);
    let corpora: Vec<PathBuf> = corpora.iter().map(PathBuf::from).collect();
    let held: Vec<PathBuf> = held_args.iter().skip(1).map(PathBuf::from).collect();
    let paragraphs = read(&corpora);
    let words: usize = paragraphs.iter().map(Vec::len).sum();
    eprintln!(
        "training on {} paragraphs, {words} words, {EPOCHS} passes",
        paragraphs.len()
    );
    let known = vocabulary(&paragraphs, MIN_WORD_COUNT);
    let weights = train(&paragraphs, &known, EPOCHS);
    std::fs::write(out.join("weights.bin"), &weights).expect("write weights.bin");
    std::fs::write(out.join("vocabulary.txt"), known.to_text()).expect("write vocabulary.txt");
    std::fs::write(
        out.join("truecase.txt"),
        truecase(&paragraphs, MIN_CASE_COUNT),
    )
    .expect("write truecase.txt");
    let report = evaluate(&weights, &known, &paragraphs).expect("weights just written");
    println!("training prose: {}", report.summary());
    if !held.is_empty() {
        let report = evaluate(&weights, &known, &read(&held)).expect("weights just written");
        println!("held-out prose: {}", report.summary());
    }
}
