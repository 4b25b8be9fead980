//! The `prompts` step of the course workflow (statemachine/course.asl.json):
//! a script job's prompts, by the job's engine.

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::step::run_content("prompts").await
}
