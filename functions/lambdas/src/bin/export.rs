//! The `export` step of the course workflow (statemachine/course.asl.json):
//! the packages a job asked for, written to S3.

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::step::run_export().await
}
