//! The `plan_renders` step of the course workflow (statemachine/course.asl.json).

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::step::run("plan_renders").await
}
