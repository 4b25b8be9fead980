//! The punctuation model's weights: a linear score per mark over hashed
//! features, learned as an averaged perceptron ([`Perceptron`]) and kept as
//! 16-bit integers ([`Weights`]) in a small file compiled into the binary.

use super::features::{MARKS, Mark};

const MAGIC: &[u8; 8] = b"CGPUNC01";
const CLASSES: usize = MARKS.len();
/// The most buckets a weights file may say it has (64 MiB of weights).
const MAX_BUCKETS: usize = 1 << 23;

/// Scores per mark, read from the weights file.
#[derive(Debug, Clone)]
pub struct Weights {
    scale: f32,
    /// The bucket count less one: a feature's bucket is its low bits.
    mask: usize,
    values: Vec<i16>,
}

/// Why a weights file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("punctuation weights: {0}")]
pub struct BadWeights(String);

impl Weights {
    pub fn from_bytes(bytes: &[u8]) -> Result<Weights, BadWeights> {
        let bad = |what: &str| BadWeights(what.to_owned());
        let header = bytes.get(..20).ok_or_else(|| bad("too short"))?;
        if &header[..8] != MAGIC {
            return Err(bad("not a weights file"));
        }
        let number = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().unwrap());
        let buckets = number(8) as usize;
        if !buckets.is_power_of_two() || buckets > MAX_BUCKETS || number(12) as usize != CLASSES {
            return Err(bad("made for other features"));
        }
        let scale = f32::from_le_bytes(header[16..20].try_into().unwrap());
        let body = &bytes[20..];
        if body.len() != buckets * CLASSES * 2 {
            return Err(bad("truncated"));
        }
        let values = body
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Ok(Weights {
            scale,
            mask: buckets - 1,
            values,
        })
    }

    /// Each mark's score for these features.
    pub fn scores(&self, features: &[u32]) -> [f32; CLASSES] {
        let mut sums = [0i32; CLASSES];
        for &f in features {
            let row = &self.values[(f as usize & self.mask) * CLASSES..][..CLASSES];
            for (sum, &v) in sums.iter_mut().zip(row) {
                *sum += i32::from(v);
            }
        }
        sums.map(|s| s as f32 / self.scale)
    }
}

/// The best-scoring mark.
pub fn best(scores: &[f32; CLASSES]) -> Mark {
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] {
            best = i;
        }
    }
    MARKS[best]
}

/// An averaged perceptron being trained: weights, and the sums that make
/// their average (updated lazily, by the step each weight last changed).
#[derive(Debug, Clone)]
pub struct Perceptron {
    /// As in [`Weights`].
    mask: usize,
    weights: Vec<f32>,
    totals: Vec<f64>,
    stamps: Vec<u64>,
    step: u64,
}

impl Perceptron {
    /// An untrained model whose features are hashed into `buckets` (a
    /// power of two): the weights have a fixed size whatever the corpus.
    pub fn new(buckets: usize) -> Perceptron {
        assert!(buckets.is_power_of_two() && buckets <= MAX_BUCKETS);
        Perceptron {
            mask: buckets - 1,
            weights: vec![0.0; buckets * CLASSES],
            totals: vec![0.0; buckets * CLASSES],
            stamps: vec![0; buckets * CLASSES],
            step: 0,
        }
    }

    pub fn scores(&self, features: &[u32]) -> [f32; CLASSES] {
        let mut sums = [0f32; CLASSES];
        for &f in features {
            let row = &self.weights[(f as usize & self.mask) * CLASSES..][..CLASSES];
            for (sum, v) in sums.iter_mut().zip(row) {
                *sum += v;
            }
        }
        sums
    }

    /// Learns from one decision: the mark it would have given, and the
    /// right one.
    pub fn learn(&mut self, features: &[u32], guess: Mark, truth: Mark) {
        self.step += 1;
        if guess == truth {
            return;
        }
        for &f in features {
            for (mark, change) in [(truth, 1.0), (guess, -1.0)] {
                let i = (f as usize & self.mask) * CLASSES + mark.index();
                self.totals[i] += f64::from(self.weights[i]) * (self.step - self.stamps[i]) as f64;
                self.stamps[i] = self.step;
                self.weights[i] += change;
            }
        }
    }

    /// The averaged weights, as 16-bit integers in the weights file's form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let averaged: Vec<f32> = (0..self.weights.len())
            .map(|i| {
                let total = self.totals[i]
                    + f64::from(self.weights[i]) * (self.step - self.stamps[i]) as f64;
                (total / self.step.max(1) as f64) as f32
            })
            .collect();
        let largest = averaged.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-6);
        let scale = f32::from(i16::MAX) / largest;
        let mut out = Vec::with_capacity(20 + averaged.len() * 2);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&((self.mask + 1) as u32).to_le_bytes());
        out.extend_from_slice(&(CLASSES as u32).to_le_bytes());
        out.extend_from_slice(&scale.to_le_bytes());
        for w in averaged {
            out.extend_from_slice(&((w * scale).round() as i16).to_le_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trained_perceptron_reads_back_as_the_same_choices() {
        let mut p = Perceptron::new(1 << 4);
        let (a, b) = (vec![1, 2, 3], vec![4, 5, 6]);
        for _ in 0..5 {
            let guess = best(&p.scores(&a));
            p.learn(&a, guess, Mark::Period);
            let guess = best(&p.scores(&b));
            p.learn(&b, guess, Mark::Comma);
        }
        let w = Weights::from_bytes(&p.to_bytes()).unwrap();
        assert_eq!(best(&w.scores(&a)), Mark::Period);
        assert_eq!(best(&w.scores(&b)), Mark::Comma);
        assert!(Weights::from_bytes(b"CGPUNC01").is_err());
        assert!(Weights::from_bytes(&p.to_bytes()[..100]).is_err());
        let mut odd = p.to_bytes();
        odd[8] = 3;
        assert!(Weights::from_bytes(&odd).is_err(), "3 buckets");
    }
}
