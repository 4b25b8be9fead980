//! The `video` step of the course workflow (statemachine/course.asl.json):
//! one lesson's narrated video, in the container image of infra/video.

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::step::run_video().await
}
