//! Reads an item into the wire types, field by field, so that an error
//! names the exact path (`solution.correctLotItem.text`); serde_json's own
//! errors name only a line and column. Paths are relative to the item.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::wire::{
    DesSolution, ItemMetadata, ItemParameter, ItemQuestion, LotItem, LotOrder, NatSolution,
    OtlSolution, QuestionItem, SmlSolution, SolSolution, Solution,
};
use super::{FormatError, check_type};
use crate::course::ExportCode;

pub(super) fn item(value: &Value) -> Result<QuestionItem, FormatError> {
    let item = Obj::new(value, String::new())?;
    let question_type = item.leaf("questionType")?;
    let question = question(&item.object("question")?)?;
    check_type(question_type, question.kind)?;
    Ok(QuestionItem {
        question,
        solution: solution(question_type, &item.object("solution")?)?,
        segment_id: item.leaf("segmentId")?,
        question_type,
        bloom_level: item.value("bloomLevel").cloned(),
        level: item.value("level").cloned(),
        metadata: item
            .optional_object("metadata")?
            .map(metadata)
            .transpose()?,
    })
}

fn question(q: &Obj) -> Result<ItemQuestion, FormatError> {
    Ok(ItemQuestion {
        text: q.text("text")?,
        kind: q.leaf("type")?,
        is_parameterized: q.optional_leaf("isParameterized")?.unwrap_or_default(),
        parameters: q.list("parameters", false, parameter)?,
        hint: q.optional_leaf("hint")?,
        time_limit_seconds: q.optional_leaf("timeLimitSeconds")?.unwrap_or_default(),
        points: q.leaf("points")?,
        bloom_level: q.value("bloomLevel").cloned(),
    })
}

fn parameter(p: &Obj) -> Result<ItemParameter, FormatError> {
    Ok(ItemParameter {
        name: p.text("name")?,
        possible_values: p.leaf("possibleValues")?,
        kind: p.leaf("type")?,
    })
}

/// The solution in the shape `questionType` calls for.
fn solution(code: ExportCode, s: &Obj) -> Result<Solution, FormatError> {
    Ok(match code {
        ExportCode::Sol | ExportCode::Bin => Solution::Sol(SolSolution {
            correct_lot_item: lot_item(&s.object("correctLotItem")?)?,
            incorrect_lot_items: s.list("incorrectLotItems", false, lot_item)?,
        }),
        ExportCode::Sml => Solution::Sml(SmlSolution {
            correct_lot_items: s.list("correctLotItems", true, lot_item)?,
            incorrect_lot_items: s.list("incorrectLotItems", false, lot_item)?,
        }),
        ExportCode::Nat => Solution::Nat(NatSolution {
            decimal_precision: s.leaf("decimalPrecision")?,
            upper_limit: s.leaf("upperLimit")?,
            lower_limit: s.leaf("lowerLimit")?,
            value: s.optional_leaf("value")?,
            expression: s.optional_leaf("expression")?,
        }),
        ExportCode::Des => Solution::Des(DesSolution {
            solution_text: s.leaf("solutionText")?,
        }),
        ExportCode::Otl => Solution::Otl(OtlSolution {
            ordering: s.list("ordering", true, |o| {
                Ok(LotOrder {
                    lot_item: lot_item(&o.object("lotItem")?)?,
                    order: o.leaf("order")?,
                })
            })?,
        }),
    })
}

fn lot_item(l: &Obj) -> Result<LotItem, FormatError> {
    Ok(LotItem {
        text: l.text("text")?,
        explaination: l.optional_leaf("explaination")?.unwrap_or_default(),
    })
}

fn metadata(m: Obj) -> Result<ItemMetadata, FormatError> {
    Ok(ItemMetadata {
        bloom_level: m.value("bloomLevel").cloned(),
        // coursegen's own object: its serde error names the inner field.
        coursegen: m.optional_leaf("coursegen")?,
    })
}

/// A JSON object being read, and where it sits in the item.
struct Obj<'a> {
    fields: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn new(value: &'a Value, path: String) -> Result<Self, FormatError> {
        match value {
            Value::Object(fields) => Ok(Obj { fields, path }),
            other => Err(FormatError::new(
                path,
                format!("expected an object, found {}", kind_of(other)),
            )),
        }
    }

    fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The value at `key`; `null` counts as missing.
    fn value(&self, key: &str) -> Option<&'a Value> {
        self.fields.get(key).filter(|v| !v.is_null())
    }

    fn required(&self, key: &str) -> Result<&'a Value, FormatError> {
        self.value(key)
            .ok_or_else(|| FormatError::new(self.path(key), "is missing"))
    }

    fn leaf<T: Deserialize<'a>>(&self, key: &str) -> Result<T, FormatError> {
        leaf(self.required(key)?, self.path(key))
    }

    fn optional_leaf<T: Deserialize<'a>>(&self, key: &str) -> Result<Option<T>, FormatError> {
        self.value(key).map(|v| leaf(v, self.path(key))).transpose()
    }

    /// A string that must hold more than white space.
    fn text(&self, key: &str) -> Result<String, FormatError> {
        let text: String = self.leaf(key)?;
        if text.trim().is_empty() {
            return Err(FormatError::new(self.path(key), "must not be empty"));
        }
        Ok(text)
    }

    fn object(&self, key: &str) -> Result<Obj<'a>, FormatError> {
        Obj::new(self.required(key)?, self.path(key))
    }

    fn optional_object(&self, key: &str) -> Result<Option<Obj<'a>>, FormatError> {
        self.value(key)
            .map(|v| Obj::new(v, self.path(key)))
            .transpose()
    }

    /// An array of objects, each read by `read`; a missing optional array
    /// is empty.
    fn list<T>(
        &self,
        key: &str,
        required: bool,
        read: impl Fn(&Obj<'a>) -> Result<T, FormatError>,
    ) -> Result<Vec<T>, FormatError> {
        let path = self.path(key);
        let value = if required {
            self.required(key)?
        } else {
            match self.value(key) {
                Some(value) => value,
                None => return Ok(Vec::new()),
            }
        };
        let Value::Array(entries) = value else {
            return Err(FormatError::new(
                path,
                format!("expected an array, found {}", kind_of(value)),
            ));
        };
        entries
            .iter()
            .enumerate()
            .map(|(i, entry)| read(&Obj::new(entry, format!("{path}[{i}]"))?))
            .collect()
    }
}

fn leaf<'a, T: Deserialize<'a>>(value: &'a Value, path: String) -> Result<T, FormatError> {
    T::deserialize(value).map_err(|e| FormatError::new(path, e.to_string()))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
