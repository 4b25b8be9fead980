//! Moving pictures by ffmpeg: a still animated by its frame's camera move
//! (Ken Burns: `zoompan` over a copy upscaled twice, so the move does not
//! judder on whole pixels), and a shot's clips — from any provider, of any
//! size and length — fitted to their frames' durations and joined by
//! crossfades. Frame boundaries are rounded on the shot's running time,
//! not frame by frame, so a shot lasts what its frames add up to within
//! one video frame however many there are.

use std::path::Path;

use coursegen_core::ports::{FrameSize, MediaError};
use coursegen_core::storyboard::Camera;
use tokio::sync::watch;

use crate::encoder::{Ffmpeg, quiet_with_progress};

/// Clips play at this rate.
pub const CLIP_FPS: u64 = 25;
/// How far a move zooms in (or starts zoomed in), as a factor.
const ZOOM: f64 = 1.15;
/// The crossfade between two frames of a shot, at most (a third of the
/// shorter frame when that is less).
pub const FADE_MS: u64 = coursegen_core::visuals::CLIP_OVERLAP_MS;

/// Whole video frames in `ms`, at least one.
fn frames(ms: u64) -> u64 {
    ((ms * CLIP_FPS + 500) / 1000).max(1)
}

/// The filter that animates one still over `count` frames of `size`.
pub fn ken_burns(camera: Camera, count: u64, size: FrameSize) -> String {
    let (w, h) = (size.width, size.height);
    let t = format!("on/{}", count.saturating_sub(1).max(1));
    let (cx, cy) = ("iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)");
    let grow = ZOOM - 1.0;
    let (z, x, y) = match camera {
        Camera::Still => ("1".to_owned(), cx.to_owned(), cy.to_owned()),
        Camera::PushIn => (format!("1+{grow}*{t}"), cx.into(), cy.into()),
        Camera::PullOut => (format!("{ZOOM}-{grow}*{t}"), cx.into(), cy.into()),
        Camera::PanRight => (ZOOM.to_string(), format!("(iw-iw/zoom)*{t}"), cy.into()),
        Camera::PanLeft => (ZOOM.to_string(), format!("(iw-iw/zoom)*(1-{t})"), cy.into()),
        Camera::TiltUp => (ZOOM.to_string(), cx.into(), format!("(ih-ih/zoom)*(1-{t})")),
        Camera::TiltDown => (ZOOM.to_string(), cx.into(), format!("(ih-ih/zoom)*{t}")),
    };
    format!(
        "scale={}:{}:force_original_aspect_ratio=increase,crop={}:{},\
         zoompan=z='{z}':x='{x}':y='{y}':d={count}:s={w}x{h}:fps={CLIP_FPS},\
         format=yuv420p,setsar=1",
        2 * w,
        2 * h,
        2 * w,
        2 * h
    )
}

/// How a clip is encoded: a frame's clip is only an intermediate (its shot
/// encodes it again when the clips are joined), so it is made quickly and
/// nearly losslessly; a shot is made as the video will show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Intermediate,
    Final,
}

/// The arguments common to every clip ffmpeg writes: H.264 in MP4, no sound.
fn output(args: &mut Vec<String>, count: u64, encoding: Encoding, out: &Path) {
    let (preset, crf) = match encoding {
        Encoding::Intermediate => ("ultrafast", "12"),
        Encoding::Final => ("veryfast", "21"),
    };
    args.extend(
        [
            "-frames:v",
            &count.to_string(),
            "-c:v",
            "libx264",
            "-preset",
            preset,
            "-crf",
            crf,
            "-pix_fmt",
            "yuv420p",
            "-r",
            &CLIP_FPS.to_string(),
            "-an",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ]
        .iter()
        .map(ToString::to_string),
    );
    args.push(out.display().to_string());
}

/// ffmpeg's arguments animating `still` for `duration_ms` into `out`.
pub fn animate_arguments(
    still: &Path,
    camera: Camera,
    duration_ms: u64,
    size: FrameSize,
    out: &Path,
) -> Vec<String> {
    let count = frames(duration_ms);
    let mut args = quiet_with_progress();
    args.extend(["-i".into(), still.display().to_string()]);
    args.extend([
        "-filter_complex".into(),
        format!("[0:v]{}[v]", ken_burns(camera, count, size)),
        "-map".into(),
        "[v]".into(),
    ]);
    output(&mut args, count, Encoding::Intermediate, out);
    args
}

/// The frame counts of frames lasting `durations` (ms) back to back, each
/// boundary rounded on the running time.
pub fn frame_counts(durations: &[u64]) -> Vec<u64> {
    let mut at = 0;
    let mut previous = 0;
    durations
        .iter()
        .map(|&d| {
            at += d;
            let end = frames(at).max(previous + 1);
            let count = end - previous;
            previous = end;
            count
        })
        .collect()
}

/// `durations` (ms, back to back) as whole video frames, each boundary
/// rounded on the running time: what a video's frames should be given so
/// that its shots, each joined on its own, add up to the whole within one
/// video frame.
pub fn whole_frames(durations: &[u64]) -> Vec<u64> {
    frame_counts(durations)
        .into_iter()
        .map(|count| count * 1000 / CLIP_FPS)
        .collect()
}

/// ffmpeg's arguments joining `clips` (path, how long its frame shows in
/// ms) into one shot at `size`: each clip scaled to cover the frame, cut
/// or held on its last picture to its frame's length (plus the crossfade
/// into the next), and faded into the next.
pub fn join_arguments(clips: &[(&Path, u64)], size: FrameSize, out: &Path) -> Vec<String> {
    let (w, h) = (size.width, size.height);
    let counts = frame_counts(&clips.iter().map(|c| c.1).collect::<Vec<_>>());
    let shortest = counts.iter().copied().min().unwrap_or(1);
    let fade = (FADE_MS * CLIP_FPS / 1000).min(shortest / 3);
    let mut args = quiet_with_progress();
    for (path, _) in clips {
        args.extend(["-i".into(), path.display().to_string()]);
    }
    let mut graph = String::new();
    let last = clips.len().saturating_sub(1);
    for (i, count) in counts.iter().enumerate() {
        let length = if i < last { count + fade } else { *count };
        graph.push_str(&format!(
            "[{i}:v]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1,\
             fps={CLIP_FPS},tpad=stop_mode=clone:stop={length},trim=end_frame={length},\
             setpts=PTS-STARTPTS,format=yuv420p[c{i}];"
        ));
    }
    let mut label = "c0".to_owned();
    let mut offset = 0;
    for i in 1..counts.len() {
        offset += counts[i - 1];
        let next = format!("x{i}");
        if fade == 0 {
            graph.push_str(&format!("[{label}][c{i}]concat=n=2:v=1:a=0[{next}];"));
        } else {
            graph.push_str(&format!(
                "[{label}][c{i}]xfade=transition=fade:duration={}:offset={}[{next}];",
                seconds(fade),
                seconds(offset)
            ));
        }
        label = next;
    }
    graph.pop();
    args.extend([
        "-filter_complex".into(),
        graph,
        "-map".into(),
        format!("[{label}]"),
    ]);
    output(&mut args, counts.iter().sum(), Encoding::Final, out);
    args
}

/// `count` video frames in seconds, exactly as ffmpeg reads them.
fn seconds(count: u64) -> String {
    format!("{:.3}", count as f64 / CLIP_FPS as f64)
}

impl Ffmpeg {
    /// `still` (a PNG) animated by `camera` for `duration_ms` at `size`,
    /// written to `out` (nothing is left there unless it is whole).
    pub async fn animate(
        &self,
        still: &Path,
        camera: Camera,
        duration_ms: u64,
        size: FrameSize,
        out: &Path,
        cancel: watch::Receiver<bool>,
    ) -> Result<(), MediaError> {
        let partial = out.with_extension("partial.mp4");
        let args = animate_arguments(still, camera, duration_ms, size, &partial);
        self.make(args, duration_ms, &|_| {}, cancel, (&partial, out))
            .await
    }

    /// `clips` joined into one shot at `size` (see [`join_arguments`]),
    /// written to `out`.
    pub async fn join(
        &self,
        clips: &[(&Path, u64)],
        size: FrameSize,
        out: &Path,
        cancel: watch::Receiver<bool>,
    ) -> Result<(), MediaError> {
        if clips.is_empty() {
            return Err(MediaError::Invalid("a shot needs at least one clip".into()));
        }
        let partial = out.with_extension("partial.mp4");
        let total = clips.iter().map(|c| c.1).sum();
        let args = join_arguments(clips, size, &partial);
        self.make(args, total, &|_| {}, cancel, (&partial, out))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_boundaries_are_rounded_on_the_running_time() {
        // 33 frames of 1 010 ms: 1 s 10 ms each is 25.25 frames; rounded
        // one by one they would add to 825, a third of a second short.
        let counts = frame_counts(&[1_010; 33]);
        assert_eq!(counts.iter().sum::<u64>(), frames(33 * 1_010));
        assert!(counts.iter().all(|&c| c == 25 || c == 26));
        assert_eq!(frame_counts(&[10, 10]), [1, 1], "never an empty frame");
        let whole = whole_frames(&[1_010; 33]);
        assert!(whole.iter().all(|ms| ms % 40 == 0));
        assert_eq!(whole.iter().sum::<u64>(), 33_320);
    }

    #[test]
    fn each_camera_move_has_its_own_path() {
        let size = FrameSize::HD;
        let moves = [
            Camera::Still,
            Camera::PushIn,
            Camera::PullOut,
            Camera::PanLeft,
            Camera::PanRight,
            Camera::TiltUp,
            Camera::TiltDown,
        ];
        let filters: Vec<String> = moves.iter().map(|&c| ken_burns(c, 75, size)).collect();
        for (i, a) in filters.iter().enumerate() {
            assert!(a.contains("d=75:s=1280x720:fps=25"), "{a}");
            assert!(filters[i + 1..].iter().all(|b| a != b), "{a}");
        }
        assert!(ken_burns(Camera::PushIn, 75, size).contains("z='1+"));
    }

    #[test]
    fn crossfades_start_where_each_frame_ends() {
        let (a, b, c) = (Path::new("a.mp4"), Path::new("b.mp4"), Path::new("c.mp4"));
        let args = join_arguments(
            &[(a, 2_000), (b, 3_000), (c, 1_200)],
            FrameSize::HD,
            Path::new("o.mp4"),
        );
        let graph = &args[args.iter().position(|x| x == "-filter_complex").unwrap() + 1];
        assert!(
            graph.contains("xfade=transition=fade:duration=0.400:offset=2.000[x1]"),
            "{graph}"
        );
        assert!(
            graph.contains("xfade=transition=fade:duration=0.400:offset=5.000[x2]"),
            "{graph}"
        );
        // The first two are held 10 frames longer, for the fade into the next.
        assert!(
            graph.contains("trim=end_frame=60[") || graph.contains("trim=end_frame=60,"),
            "{graph}"
        );
        assert!(graph.contains("trim=end_frame=30,"), "{graph}");
        assert_eq!(
            args[args.iter().position(|x| x == "-frames:v").unwrap() + 1],
            "155"
        );
    }
}
