//! Who may do what to which job (DESIGN.md §5), decided in one place so the
//! API answers alike on AWS and locally.
//!
//! - **admin**: everything.
//! - **instructor** (course manager): everything on jobs of their courses.
//! - **TA**: read, create, and review (approve, edit, rerun) in their course
//!   versions; abort only their own jobs.
//! - **student**: nothing, beyond what an owner may do.
//! - **owner**: a job's owner may always read it.
//!
//! A caller who may not even read a job is told it does not exist, so ids
//! cannot be probed; one who may read it but not act is told so (403).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::auth::{Principal, Role};
use crate::ids::{CourseId, VersionId};
use crate::job::{CourseRef, Job};
use crate::ports::JobQuery;

/// Where a role applies: a whole course (`c1`) or one version of it
/// (`c1/v2`). `/` cannot occur in ids, so the form is unambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CourseScope {
    pub course: CourseId,
    pub version: Option<VersionId>,
}

impl CourseScope {
    pub fn covers(&self, course: &CourseRef) -> bool {
        self.course == course.course_id
            && self
                .version
                .as_ref()
                .is_none_or(|v| *v == course.version_id)
    }
}

impl FromStr for CourseScope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (course, version) = match s.split_once('/') {
            Some((c, v)) => (c, Some(v)),
            None => (s, None),
        };
        Ok(CourseScope {
            course: course.parse().map_err(|e| format!("{s:?}: {e}"))?,
            version: version
                .map(|v| v.parse().map_err(|e| format!("{s:?}: {e}")))
                .transpose()?,
        })
    }
}

impl TryFrom<String> for CourseScope {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<CourseScope> for String {
    fn from(scope: CourseScope) -> String {
        scope.to_string()
    }
}

impl fmt::Display for CourseScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.version {
            Some(v) => write!(f, "{}/{v}", self.course),
            None => write!(f, "{}", self.course),
        }
    }
}

/// What a caller wants to do with a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The job, its stages, runs, events and course.
    Read,
    /// Approve, edit or rerun a stage.
    Review,
    Abort,
}

/// Why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The caller may not see the job: answer as if it did not exist.
    #[error("no such job")]
    NotFound,
    #[error("your role does not allow this")]
    Forbidden,
}

fn in_scope(principal: &Principal, course: &CourseRef) -> bool {
    principal.courses.iter().any(|scope| scope.covers(course))
}

/// May `principal` do `action` to `job`?
pub fn check(principal: &Principal, job: &Job, action: Action) -> Result<(), Denied> {
    let owner = job.owner == principal.user;
    let scoped = in_scope(principal, &job.course);
    let (reads, acts) = match principal.role {
        Role::Admin => (true, true),
        Role::Instructor => (scoped || owner, scoped),
        Role::Ta => (
            scoped || owner,
            scoped && (action != Action::Abort || owner),
        ),
        Role::Student => (owner, false),
    };
    match action {
        _ if !reads => Err(Denied::NotFound),
        Action::Read => Ok(()),
        Action::Review | Action::Abort if acts => Ok(()),
        Action::Review | Action::Abort => Err(Denied::Forbidden),
    }
}

/// May `principal` create a job for `course`?
pub fn check_create(principal: &Principal, course: &CourseRef) -> Result<(), Denied> {
    match principal.role {
        Role::Admin => Ok(()),
        Role::Instructor | Role::Ta if in_scope(principal, course) => Ok(()),
        _ => Err(Denied::Forbidden),
    }
}

/// May `principal` upload files? An upload is only good for making a job,
/// so only those who may create one somewhere: admins, and instructors and
/// TAs with a course in scope (students cannot create jobs).
pub fn check_upload(principal: &Principal) -> Result<(), Denied> {
    match principal.role {
        Role::Admin => Ok(()),
        Role::Instructor | Role::Ta if !principal.courses.is_empty() => Ok(()),
        _ => Err(Denied::Forbidden),
    }
}

/// Which jobs a listing shows: the caller's own by default; a course's
/// when asked for one the caller's role covers; any for admins.
pub fn list_query(principal: &Principal, course: Option<&CourseId>) -> Result<JobQuery, Denied> {
    match (course, principal.role) {
        (None, Role::Admin) => Ok(JobQuery::All),
        (None, _) => Ok(JobQuery::Owner(principal.user.clone())),
        (Some(c), Role::Admin) => Ok(JobQuery::Course(c.clone())),
        // A course listing needs the whole course in scope: a version
        // grant would show other versions' jobs.
        (Some(c), Role::Instructor | Role::Ta)
            if principal
                .courses
                .iter()
                .any(|s| s.course == *c && s.version.is_none()) =>
        {
            Ok(JobQuery::Course(c.clone()))
        }
        (Some(_), _) => Err(Denied::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{NewJob, create};
    use crate::options::Options;
    use crate::source::Source;

    fn principal(user: &str, role: Role, courses: &[&str]) -> Principal {
        Principal {
            user: user.parse().unwrap(),
            role,
            courses: courses.iter().map(|c| c.parse().unwrap()).collect(),
        }
    }

    fn course(c: &str, v: &str) -> CourseRef {
        CourseRef {
            course_id: c.parse().unwrap(),
            version_id: v.parse().unwrap(),
            module_id: None,
            section_id: None,
        }
    }

    fn job(owner: &str) -> Job {
        let new = NewJob {
            id: crate::ids::JobId::new(),
            owner: owner.parse().unwrap(),
            course: course("c1", "v1"),
            source: Source::Youtube {
                video_id: "henIVlCPVIY".parse().unwrap(),
            },
            options: Options::default(),
        };
        create(new, chrono::Utc::now()).unwrap().0
    }

    const OK: Result<(), Denied> = Ok(());
    const HIDDEN: Result<(), Denied> = Err(Denied::NotFound);
    const NO: Result<(), Denied> = Err(Denied::Forbidden);

    #[test]
    fn every_role_against_every_action() {
        use Role::*;
        // (who, owner of the job, read, review, abort, create in c1/v1)
        let table = [
            (principal("ada", Admin, &[]), "olivia", OK, OK, OK, OK),
            (
                principal("ines", Instructor, &["c1"]),
                "olivia",
                OK,
                OK,
                OK,
                OK,
            ),
            (
                principal("ines", Instructor, &["c1/v1"]),
                "olivia",
                OK,
                OK,
                OK,
                OK,
            ),
            (
                principal("ian", Instructor, &["c2"]),
                "olivia",
                HIDDEN,
                HIDDEN,
                HIDDEN,
                NO,
            ),
            (
                principal("ian", Instructor, &["c1/v2"]),
                "olivia",
                HIDDEN,
                HIDDEN,
                HIDDEN,
                NO,
            ),
            (
                principal("owen", Instructor, &["c2"]),
                "owen",
                OK,
                NO,
                NO,
                NO,
            ),
            (principal("tom", Ta, &["c1/v1"]), "olivia", OK, OK, NO, OK),
            (principal("tom", Ta, &["c1/v1"]), "tom", OK, OK, OK, OK),
            (
                principal("tia", Ta, &["c1/v2"]),
                "olivia",
                HIDDEN,
                HIDDEN,
                HIDDEN,
                NO,
            ),
            (
                principal("stu", Student, &["c1"]),
                "olivia",
                HIDDEN,
                HIDDEN,
                HIDDEN,
                NO,
            ),
            (principal("olivia", Student, &[]), "olivia", OK, NO, NO, NO),
            (
                principal("sam", Student, &[]),
                "olivia",
                HIDDEN,
                HIDDEN,
                HIDDEN,
                NO,
            ),
        ];
        for (who, owner, read, review, abort, make) in table {
            let job = job(owner);
            let label = format!(
                "{} {:?} {:?} on a job of {owner}",
                who.user, who.role, who.courses
            );
            assert_eq!(check(&who, &job, Action::Read), read, "read: {label}");
            assert_eq!(check(&who, &job, Action::Review), review, "review: {label}");
            assert_eq!(check(&who, &job, Action::Abort), abort, "abort: {label}");
            assert_eq!(
                check_create(&who, &course("c1", "v1")),
                make,
                "create: {label}"
            );
        }
    }

    #[test]
    fn only_those_who_may_create_a_job_somewhere_may_upload() {
        use Role::*;
        let table = [
            (principal("ada", Admin, &[]), OK),
            (principal("ines", Instructor, &["c1"]), OK),
            (principal("ian", Instructor, &["c2/v1"]), OK),
            (principal("ivy", Instructor, &[]), NO),
            (principal("tom", Ta, &["c1/v1"]), OK),
            (principal("tia", Ta, &[]), NO),
            (principal("stu", Student, &["c1"]), NO),
            (principal("sam", Student, &[]), NO),
        ];
        for (who, expected) in table {
            assert_eq!(check_upload(&who), expected, "{who:?}");
            // The rule agrees with job creation in the caller's own scope.
            if let Some(scope) = who.courses.first() {
                let mine = course(
                    scope.course.as_str(),
                    scope.version.as_ref().map_or("v1", |v| v.as_str()),
                );
                assert_eq!(check_create(&who, &mine), expected, "{who:?}");
            }
        }
    }

    #[test]
    fn listings_show_own_jobs_or_a_whole_course_in_scope() {
        use Role::*;
        let c1: CourseId = "c1".parse().unwrap();
        let ada = principal("ada", Admin, &[]);
        assert_eq!(list_query(&ada, None), Ok(JobQuery::All));
        assert_eq!(
            list_query(&ada, Some(&c1)),
            Ok(JobQuery::Course(c1.clone()))
        );
        let ines = principal("ines", Instructor, &["c1"]);
        assert_eq!(
            list_query(&ines, None),
            Ok(JobQuery::Owner(ines.user.clone()))
        );
        assert_eq!(
            list_query(&ines, Some(&c1)),
            Ok(JobQuery::Course(c1.clone()))
        );
        let tom = principal("tom", Ta, &["c1/v1"]);
        assert_eq!(list_query(&tom, Some(&c1)), Err(Denied::Forbidden));
        let stu = principal("stu", Student, &["c1"]);
        assert_eq!(list_query(&stu, Some(&c1)), Err(Denied::Forbidden));
    }

    #[test]
    fn scopes_read_and_write_as_course_or_course_slash_version() {
        let whole: CourseScope = "c1".parse().unwrap();
        let one: CourseScope = "c1/v2".parse().unwrap();
        assert!(whole.covers(&course("c1", "v9")) && !whole.covers(&course("c2", "v9")));
        assert!(one.covers(&course("c1", "v2")) && !one.covers(&course("c1", "v1")));
        assert_eq!(one.to_string(), "c1/v2");
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            serde_json::json!("c1/v2")
        );
        assert!("c1/".parse::<CourseScope>().is_err());
        assert!("/v1".parse::<CourseScope>().is_err());
        assert!("c1/v1/x".parse::<CourseScope>().is_err());
    }
}
