//! The `dispatch` step of the course workflow (statemachine/course.asl.json):
//! hands a stage to the external AI server and leaves its task token waiting.

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::step::run_dispatch().await
}
