//! coursegen's media toolkit, behind core's media ports
//! (`coursegen_core::ports::{Speaker, SlideRenderer, Encoder}`): what turns
//! a lesson's narration into a video with a voice, slides and subtitles.
//!
//! - [`encoder`]: ffmpeg making the MP4 from stills, speech and subtitles.
//! - [`subtitles`]: cues timed by the speech, written as WebVTT and SRT.
//! - [`wav`]: reading and joining the WAV speech comes as.

pub mod encoder;
pub mod speech;
pub mod subtitles;
pub mod wav;
