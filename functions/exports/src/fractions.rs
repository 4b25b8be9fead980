//! Grades of an answer as a percentage of the question's mark. Moodle's
//! importers accept only the grades its own forms offer; anything else is
//! refused (XML) or the whole question is (GIFT). Both writers take their
//! grades from here.

use coursegen_core::course::{ChoiceOption, Question};

use crate::bank::Report;

/// The grade of each option of a multiple-response question, as written
/// in both formats: the correct ones share 100 %, the wrong ones -100 %. A
/// share Moodle has no grade for is rounded down and noted in `report`.
pub fn multi_choice(q: &Question, options: &[ChoiceOption], report: &mut Report) -> Vec<String> {
    let right = options.iter().filter(|o| o.correct).count();
    let (gain, exact) = share(right);
    let (loss, _) = share(options.len() - right);
    if !exact {
        report.note(q, format!("{right} correct options: each is worth {gain} % (Moodle offers no exact share), so together less than 100 %"));
    }
    options
        .iter()
        .map(|o| match o.correct {
            true => gain.to_owned(),
            false => format!("-{loss}"),
        })
        .collect()
}

/// The grades Moodle offers, as it writes them, highest first.
pub const MOODLE: [&str; 21] = [
    "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30",
    "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0",
];

/// The grade of one of `n` equal shares of 100 %: exact for 1 to 10 shares
/// and for 20; otherwise the largest offered grade below the share (the
/// shares then add up to less than 100 %: `false` says so).
pub fn share(n: usize) -> (&'static str, bool) {
    let exact = 100.0 / n.max(1) as f64;
    let mut below = MOODLE[MOODLE.len() - 1];
    for grade in MOODLE {
        let value: f64 = grade.parse().unwrap_or(0.0);
        if (value - exact).abs() < 1e-4 {
            return (grade, true);
        }
        if value < exact {
            below = grade;
            break;
        }
    }
    (below, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_shares_are_offered_grades() {
        assert_eq!(share(1), ("100", true));
        assert_eq!(share(3), ("33.33333", true));
        assert_eq!(share(7), ("14.28571", true));
        assert_eq!(share(20), ("5", true));
        assert_eq!(share(11), ("5", false));
        assert_eq!(share(0), ("100", true));
    }
}
