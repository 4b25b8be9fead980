//! The `validate` step of the course workflow (statemachine/course.asl.json).

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::step::run_content("validate").await
}
