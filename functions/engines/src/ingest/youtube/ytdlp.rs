//! yt-dlp, run as a program: a video's description, the captions chosen,
//! or its audio. Its failures (a private or removed video, the network)
//! come back naming the video; yt-dlp has retried what it could already.

use std::path::{Path, PathBuf};

use coursegen_core::ports::EngineError;
use tokio::process::Command;

use super::info::{Info, Pick};

/// Where yt-dlp is, and how a video id becomes the URL it is given.
#[derive(Debug, Clone)]
pub struct YtDlp {
    program: PathBuf,
    url_template: String,
}

/// The variable naming the yt-dlp program.
pub const YTDLP_ENV: &str = "COURSEGEN_YTDLP";
/// The variable with the URL a video id is fetched from (`{id}` replaced):
/// YouTube by default; a mirror or a test server otherwise.
pub const URL_ENV: &str = "COURSEGEN_YOUTUBE_URL";
/// Where scripts/setup-speech installs yt-dlp, relative to the checkout.
pub const SET_UP_YTDLP: &str = "target/tools/speech/bin/yt-dlp";
const YOUTUBE: &str = "https://www.youtube.com/watch?v={id}";

impl YtDlp {
    pub fn new(program: impl Into<PathBuf>) -> YtDlp {
        YtDlp {
            program: program.into(),
            url_template: YOUTUBE.into(),
        }
    }

    /// The one the environment names (if it exists), else `yt-dlp` on
    /// PATH, else the set-up's; `None` when there is none.
    pub fn from_env() -> Option<YtDlp> {
        let named = std::env::var_os(YTDLP_ENV).filter(|p| !p.is_empty());
        let program = match named {
            // Named: that one or none (a wrong name is not papered over).
            Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
            None => on_path("yt-dlp")
                .or_else(|| Some(PathBuf::from(SET_UP_YTDLP)).filter(|p| p.is_file())),
        }?;
        let mut ytdlp = YtDlp::new(program);
        if let Some(template) = std::env::var(URL_ENV).ok().filter(|t| t.contains("{id}")) {
            ytdlp.url_template = template;
        }
        Some(ytdlp)
    }

    /// The URL of video `id`.
    pub fn url(&self, id: &str) -> String {
        self.url_template.replace("{id}", id)
    }

    /// The video's description, and the same as yt-dlp wrote it (later
    /// calls load it rather than asking the site again).
    pub async fn info(&self, video: &str, dir: &Path) -> Result<(Info, PathBuf), EngineError> {
        let url = self.url(video);
        let out = self
            .run(video, &["-J", "--no-playlist", "--skip-download", &url])
            .await?;
        let info: Info = serde_json::from_slice(&out).map_err(|e| {
            EngineError::Invalid(format!(
                "video {video}: yt-dlp's description cannot be read: {e}"
            ))
        })?;
        let path = dir.join("info.json");
        tokio::fs::write(&path, &out).await.map_err(|e| {
            EngineError::Unavailable(format!("cannot keep video {video}'s description: {e}"))
        })?;
        Ok((info, path))
    }

    /// The videos of the playlist at `url`, in its order (yt-dlp lists
    /// them without visiting each).
    pub async fn playlist(&self, url: &str) -> Result<Vec<String>, EngineError> {
        let out = self.run(url, &["-J", "--flat-playlist", url]).await?;
        playlist_entries(&out).map_err(|e| {
            EngineError::Invalid(format!(
                "playlist {url}: yt-dlp's listing cannot be read: {e}"
            ))
        })
    }

    /// Downloads the caption track `pick` into `dir`; its file.
    pub async fn captions(
        &self,
        video: &str,
        info: &Path,
        pick: &Pick,
        dir: &Path,
    ) -> Result<PathBuf, EngineError> {
        let which = if pick.automatic {
            "--write-auto-subs"
        } else {
            "--write-subs"
        };
        let template = dir.join("captions.%(ext)s");
        let info = info.to_string_lossy();
        let template = template.to_string_lossy();
        let args = [
            "--load-info-json",
            &info,
            "--skip-download",
            which,
            "--sub-langs",
            &pick.key,
            "--sub-format",
            pick.ext,
            "-o",
            &template,
        ];
        self.run(video, &args).await?;
        let path = dir.join(format!("captions.{}.{}", pick.key, pick.ext));
        if tokio::fs::metadata(&path).await.is_err() {
            return Err(EngineError::Invalid(format!(
                "video {video}: yt-dlp wrote no {} captions",
                pick.key
            )));
        }
        Ok(path)
    }

    /// Downloads the video's audio (or the whole file when it has no
    /// separate audio) into `dir`; its file.
    pub async fn audio(
        &self,
        video: &str,
        info: &Path,
        dir: &Path,
    ) -> Result<PathBuf, EngineError> {
        let template = dir.join("audio.%(ext)s");
        let info = info.to_string_lossy();
        let template = template.to_string_lossy();
        let args = [
            "--load-info-json",
            &info,
            "-f",
            "bestaudio/best",
            "--no-simulate",
            "--no-progress",
            "-o",
            &template,
            "--print",
            "after_move:filepath",
        ];
        let out = self.run(video, &args).await?;
        let path = String::from_utf8_lossy(&out)
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_owned();
        if path.is_empty() {
            return Err(EngineError::Invalid(format!(
                "video {video}: yt-dlp downloaded no audio"
            )));
        }
        Ok(PathBuf::from(path))
    }

    /// Runs yt-dlp with `args`: its standard output, or its last error
    /// naming `video`.
    async fn run(&self, video: &str, args: &[&str]) -> Result<Vec<u8>, EngineError> {
        let output = Command::new(&self.program)
            .args(["--no-warnings", "--ignore-config", "--no-cache-dir"])
            .args(args)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| {
                EngineError::Unsupported(format!(
                    "cannot run yt-dlp ({}): {e}; scripts/setup-speech installs it",
                    self.program.display()
                ))
            })?;
        if output.status.success() {
            return Ok(output.stdout);
        }
        let reason = reason(&String::from_utf8_lossy(&output.stderr));
        let reason = reason
            .strip_prefix(&format!("{video}: "))
            .unwrap_or(&reason);
        Err(EngineError::Invalid(format!(
            "video {video} cannot be fetched: {reason}"
        )))
    }
}

/// The video ids of a flat playlist listing (`yt-dlp -J --flat-playlist`).
pub fn playlist_entries(json: &[u8]) -> Result<Vec<String>, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct Listing {
        #[serde(default)]
        entries: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        id: String,
    }
    let listing: Listing = serde_json::from_slice(json)?;
    Ok(listing.entries.into_iter().map(|e| e.id).collect())
}

/// yt-dlp's last `ERROR:` line without its prefixes ("ERROR: [youtube]
/// ID: Private video…" → "Private video…").
fn reason(stderr: &str) -> String {
    let line = stderr
        .lines()
        .rfind(|l| l.starts_with("ERROR:"))
        .or_else(|| stderr.lines().rfind(|l| !l.trim().is_empty()))
        .unwrap_or("yt-dlp failed without saying why");
    let mut text = line.trim_start_matches("ERROR:").trim();
    if let Some(rest) = text.strip_prefix('[').and_then(|t| t.split_once("] ")) {
        text = rest.1;
    }
    text.to_owned()
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::reason;

    /// Trimmed from `yt-dlp -J --flat-playlist` on a YouTube playlist.
    #[test]
    fn a_playlist_listing_gives_its_videos_in_order() {
        let listing = br#"{"_type": "playlist", "id": "PLx", "title": "Biology",
            "entries": [{"_type": "url", "ie_key": "Youtube", "id": "henIVlCPVIY",
                         "url": "https://www.youtube.com/watch?v=henIVlCPVIY", "title": "One"},
                        {"_type": "url", "ie_key": "Youtube", "id": "aaaaaaaaaaa", "title": "Two"}]}"#;
        assert_eq!(
            super::playlist_entries(listing).unwrap(),
            ["henIVlCPVIY", "aaaaaaaaaaa"]
        );
        assert!(super::playlist_entries(b"{}").unwrap().is_empty());
        assert!(super::playlist_entries(b"not json").is_err());
    }

    #[test]
    fn yt_dlp_errors_lose_their_prefixes() {
        assert_eq!(
            reason(
                "WARNING: x\nERROR: [youtube] henIVlCPVIY: Private video. Sign in if you've been granted access\n"
            ),
            "henIVlCPVIY: Private video. Sign in if you've been granted access"
        );
        assert_eq!(
            reason("ERROR: [generic] Unable to download webpage: HTTP Error 404: Not Found"),
            "Unable to download webpage: HTTP Error 404: Not Found"
        );
        assert_eq!(reason(""), "yt-dlp failed without saying why");
    }
}
