//! Trains the punctuation model: `train-punctuation OUT_DIR TRAIN.txt…
//! [--held-out TEST.txt…]`, each file a paragraph a line (see
//! `scripts/punctuation/corpus.py`). Writes `forward.bin` and `backward.bin`
//! (the models reading left to right and right to left), `vocabulary.txt`
//! and `truecase.txt` into OUT_DIR and prints how they do on the held-out
//! prose.

use std::path::PathBuf;

use coursegen_engines::ingest::punctuation::training::{
    Labelled, evaluate, labelled, reversed, runs, train, truecase, vocabulary,
};

const EPOCHS: u64 = 3;
/// Features are hashed into this many buckets by the model reading left to
/// right, which chooses the marks (4 MiB of weights)…
const FORWARD_BUCKETS: usize = 1 << 19;
/// …and by the one reading right to left, which only checks its sentence
/// ends and needs fewer.
const BACKWARD_BUCKETS: usize = 1 << 16;
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
    let forward = train(&paragraphs, &known, FORWARD_BUCKETS, EPOCHS);
    std::fs::write(out.join("forward.bin"), &forward).expect("write forward.bin");
    let reversed: Vec<Vec<Labelled>> = paragraphs.iter().map(|r| reversed(r)).collect();
    let backward = train(&reversed, &known, BACKWARD_BUCKETS, EPOCHS);
    std::fs::write(out.join("backward.bin"), &backward).expect("write backward.bin");
    let models = (forward.as_slice(), backward.as_slice());
    std::fs::write(out.join("vocabulary.txt"), known.to_text()).expect("write vocabulary.txt");
    std::fs::write(
        out.join("truecase.txt"),
        truecase(&paragraphs, MIN_CASE_COUNT),
    )
    .expect("write truecase.txt");
    let report = evaluate(models, &known, &paragraphs).expect("weights just written");
    println!("training prose: {}", report.summary());
    if !held.is_empty() {
        let report = evaluate(models, &known, &read(&held)).expect("weights just written");
        println!("held-out prose: {}", report.summary());
    }
}
