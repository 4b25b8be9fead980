//! `coursegen token`: a dev token for the local API.

use chrono::{Duration, Utc};
use coursegen_core::access::CourseScope;
use coursegen_core::auth::{Principal, Role};
use coursegen_core::ids::UserId;
use coursegen_local::DataDir;
use coursegen_local::dev_auth;

use crate::DataArgs;
use crate::stack::jwt_secret;

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// The user the token is for (its `sub` claim).
    #[arg(long, value_name = "USER")]
    sub: UserId,
    /// The caller's role.
    #[arg(long, default_value = "admin", value_parser = parse_role)]
    role: Role,
    /// Where the role applies (instructors and TAs): a course `ID` or one
    /// version of it, `ID/VERSION`; repeat for several.
    #[arg(long = "course", value_name = "ID[/VERSION]")]
    courses: Vec<CourseScope>,
    /// How long the token is valid, in hours.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=24 * 90))]
    ttl_hours: u32,
    #[command(flatten)]
    data: DataArgs,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    if matches!(args.role, Role::Instructor | Role::Ta) && args.courses.is_empty() {
        anyhow::bail!(
            "a {} token needs --course ID: the role applies to a course",
            args.role
        );
    }
    let secret = jwt_secret(&DataDir::new(&args.data.dir))?;
    let principal = Principal {
        user: args.sub,
        role: args.role,
        courses: args.courses,
    };
    let token = dev_auth::issue(
        &secret,
        &principal,
        Utc::now(),
        Duration::hours(i64::from(args.ttl_hours)),
    );
    println!("{token}");
    Ok(())
}
