//! Identifiers. Each is a newtype so a job id can never be passed where a user
//! id is expected, and each validates what it accepts from the outside.

use std::fmt;
use std::str::FromStr;

use rand::RngExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A job id: a ULID, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(ulid::Ulid);

impl JobId {
    pub fn new() -> Self {
        JobId(ulid::Ulid::generate())
    }
}

impl Default for JobId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Returned when a string is not a valid identifier of the named kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {reason}")]
pub struct InvalidId {
    pub kind: &'static str,
    pub reason: String,
}

impl FromStr for JobId {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ulid::Ulid::from_string(s)
            .map(JobId)
            .map_err(|e| InvalidId {
                kind: "job id",
                reason: format!("{s:?} is not a ULID ({e})"),
            })
    }
}

impl JsonSchema for JobId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "JobId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$",
            "description": "A ULID"
        })
    }
}

/// Declares a string newtype that is valid by construction: `$check` turns
/// any input into the canonical value or an error, and every way in
/// (`TryFrom<String>`, `FromStr`, deserialisation) goes through it.
macro_rules! validated_string {
    ($(#[$doc:meta])* $name:ident, $err:ty, $check:expr) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        $(#[$doc])*
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, $err> {
                let check: fn(String) -> Result<String, $err> = $check;
                check(s).map($name)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                Self::try_from(s.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use validated_string;

/// An id from outside: non-empty, at most 128 characters of
/// `[A-Za-z0-9._:@|-]`, which keeps it safe inside storage keys (`OWNER#…`).
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        validated_string!(
            $(#[$doc])*
            #[schemars(extend("pattern" = "^[A-Za-z0-9._:@|-]{1,128}$"))]
            $name,
            InvalidId,
            |s| validate_string_id($kind, s)
        );
    };
}

string_id!(
    /// A user id: the `sub` claim of the caller's token.
    UserId,
    "user id"
);
string_id!(
    /// A course id in the LMS the course is generated for.
    CourseId,
    "course id"
);
string_id!(
    /// A course version id.
    VersionId,
    "version id"
);
string_id!(
    /// A webhook delivery id (the sender's, or a hash of the payload).
    DeliveryId,
    "delivery id"
);

pub const MAX_ID_LEN: usize = 128;

fn validate_string_id(kind: &'static str, s: String) -> Result<String, InvalidId> {
    let reason = if s.is_empty() {
        "must not be empty".to_owned()
    } else if s.len() > MAX_ID_LEN {
        format!("must be at most {MAX_ID_LEN} characters")
    } else if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._:@|-".contains(*c)))
    {
        format!("{c:?} is not allowed (use letters, digits and . _ : @ | -)")
    } else {
        return Ok(s);
    };
    Err(InvalidId { kind, reason })
}

validated_string!(
    /// The opaque handle that stands for a task token. The AI server and the
    /// browser only ever see this; the token itself stays in the callback store.
    CallbackId,
    InvalidId,
    |s| {
        if s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(s)
        } else {
            Err(InvalidId {
                kind: "callback id",
                reason: "must be 32 lower-case hex digits".to_owned(),
            })
        }
    }
);

impl CallbackId {
    /// 128 random bits, hex: unguessable, so knowing one handle reveals nothing
    /// about another.
    pub fn generate() -> Self {
        let bytes: [u8; 16] = rand::rng().random();
        CallbackId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// A Step Functions task token (or the local interpreter's equivalent). A
/// secret: it can complete someone's task. `Debug` and `Display` never show
/// it, and it is deliberately not `Serialize`, so it cannot end up in a
/// response body or a log line by accident; adapters call [`TaskToken::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct TaskToken(String);

impl TaskToken {
    pub fn new(token: impl Into<String>) -> Self {
        TaskToken(token.into())
    }
    /// The raw token, for the one place that must send it (the workflow port).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TaskToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TaskToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_round_trip_and_reject_garbage() {
        let id = JobId::new();
        assert_eq!(id.to_string().parse::<JobId>(), Ok(id));
        let err = "not-a-ulid".parse::<JobId>().unwrap_err();
        assert!(err.to_string().contains("not a ULID"), "{err}");
    }

    #[test]
    fn string_ids_reject_key_separators_and_empty() {
        assert!("alice@example.com".parse::<UserId>().is_ok());
        for bad in ["", "a#b", "a/b", "a b", &"x".repeat(129)] {
            assert!(bad.parse::<UserId>().is_err(), "{bad:?} accepted");
        }
        let err: Result<UserId, _> = serde_json::from_str("\"a#b\"");
        assert!(err.is_err());
    }

    #[test]
    fn the_published_schema_of_string_ids_agrees_with_the_check() {
        let schema = serde_json::to_value(schemars::schema_for!(CourseId)).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let long = "x".repeat(MAX_ID_LEN);
        let too_long = "x".repeat(MAX_ID_LEN + 1);
        for id in [
            "c1",
            "a.b_c:d@e|f-g",
            &long,
            "",
            "a#b",
            "a/b",
            "a b",
            "é",
            &too_long,
        ] {
            let by_schema = validator.is_valid(&serde_json::json!(id));
            assert_eq!(by_schema, id.parse::<CourseId>().is_ok(), "{id:?}");
        }
    }

    #[test]
    fn callback_ids_are_random_and_validated() {
        let (a, b) = (CallbackId::generate(), CallbackId::generate());
        assert_ne!(a, b);
        assert_eq!(a.as_str().parse::<CallbackId>(), Ok(a.clone()));
        assert!("XYZ".parse::<CallbackId>().is_err());
    }

    #[test]
    fn task_tokens_never_print() {
        let t = TaskToken::new("AAAA-secret-token");
        assert!(!format!("{t:?}").contains("secret"));
        assert_eq!(t.expose(), "AAAA-secret-token");
    }
}
