//! The `plan_videos` step of the course workflow (statemachine/course.asl.json):
//! every lesson's narration, written by the jobs' engines.

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::step::run_content("plan_videos").await
}
