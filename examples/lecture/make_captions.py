#!/usr/bin/env python3
"""Turn script.md into caption fixtures with a synthetic, deterministic timeline.

Outputs (next to this file):
  lecture.en.vtt  rolling captions in the style of YouTube's automatic captions
  lecture.srt     cased and punctuated captions with the same word timings
  topics.json     true topic boundaries (first word start, last word end)

Usage:
  python3 make_captions.py           write the three files
  python3 make_captions.py --check   re-read the written files and verify them

Nothing here depends on the clock or on unseeded randomness: the same script.md
always yields byte-identical files. Python 3.11 standard library only.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "script.md"
VTT = HERE / "lecture.en.vtt"
SRT = HERE / "lecture.srt"
TOPICS = HERE / "topics.json"

# ---- timing model -----------------------------------------------------------
WPM = 150                 # average speaking rate inside a topic, pauses included
MUSIC_MS = 3200           # [Music] before the first word
SENTENCE_PAUSE_MS = 350   # extra silence after a sentence
CLAUSE_PAUSE_MS = 120     # extra silence after , ; :
PARAGRAPH_PAUSE_MS = 250  # added on top of the sentence pause at a paragraph end
TOPIC_PAUSE_MS = 2500     # silence between the last word of a topic and the next
APPLAUSE_GAP_MS = 600     # silence between the last word and [Applause]
APPLAUSE_MS = 3500        # length of the [Applause] cue
MIN_WORD_MS = 120
TICK_MS = 10              # every time is a multiple of this

# ---- caption layout -----------------------------------------------------------
VTT_LINE_MIN_WORDS = 4
VTT_LINE_MAX_WORDS = 9
VTT_LINE_TARGET_CHARS = 34
SRT_MAX_WORDS = 12
SRT_LINE_CHARS = 42
SRT_SPEAKER = ">> PROFESSOR:"
VTT_CUE_SETTINGS = "align:start position:0%"

WORD_SPLIT = re.compile(r"[-_/\u2010-\u2015]")  # hyphens, dashes, underscore, slash


# ---- parsing ------------------------------------------------------------------
@dataclass
class Token:
    text: str                  # as written in the script
    spoken: list[str]          # caption words: lower case, no punctuation
    topic: int
    sentence_end: bool = False
    clause_end: bool = False
    paragraph_end: bool = False
    word_ids: list[int] = field(default_factory=list)


@dataclass
class Topic:
    title: str
    tokens: list[Token]


def spoken_words(token: str) -> list[str]:
    """Caption form of one written token: lower case, punctuation removed.

    Apostrophes inside words survive (we're, client's), as do digits and a
    decimal point between digits (1.05); thousands separators go (1,000 -> 1000).
    Hyphens, dashes, slashes and underscores separate spoken words
    (SYN-ACK -> syn ack, TIME_WAIT -> time wait).
    """
    token = token.replace("\u2019", "'").lower()
    words = []
    for part in WORD_SPLIT.split(token):
        part = re.sub(r"(?<=\d),(?=\d)", "", part)
        part = re.sub(r"(?<=\d)\.(?=\d)", "\0", part)
        part = "".join(c for c in part if c.isalnum() or c in "'\0")
        part = part.strip("'").replace("\0", ".")
        if part:
            words.append(part)
    return words


def parse_script(text: str) -> tuple[str, list[Topic]]:
    title = ""
    topics: list[Topic] = []
    paragraphs: list[list[str]] = []

    def flush_paragraph(lines: list[str]) -> None:
        if lines:
            if not topics:
                raise SystemExit("script.md: text before the first '## ' topic heading")
            paragraphs.append(" ".join(lines).split())
            topics[-1].tokens.extend(_tokens(paragraphs[-1], len(topics) - 1))

    current: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("## "):
            flush_paragraph(current)
            current = []
            topics.append(Topic(line[3:].strip(), []))
        elif line.startswith("# "):
            flush_paragraph(current)
            current = []
            title = line[2:].strip()
        elif not line:
            flush_paragraph(current)
            current = []
        else:
            current.append(line)
    flush_paragraph(current)
    return title, topics


def _tokens(words: list[str], topic: int) -> list[Token]:
    out: list[Token] = []
    for w in words:
        spoken = spoken_words(w)
        if not spoken:
            # A bare symbol is shown with its neighbour in the SRT and never spoken.
            if out:
                out[-1].text += " " + w
                continue
            raise SystemExit(f"script.md: paragraph starts with an unspoken token {w!r}")
        bare = w.rstrip("\"')]\u201d\u2019")
        out.append(Token(
            text=w,
            spoken=spoken,
            topic=topic,
            sentence_end=bare.endswith((".", "?", "!")),
            clause_end=bare.endswith((",", ";", ":")),
        ))
    if out:
        out[-1].paragraph_end = True
        out[-1].sentence_end = True
    return out


# ---- timeline -------------------------------------------------------------------
@dataclass
class Word:
    text: str
    topic: int
    start: int = 0
    end: int = 0


def _tick(ms: float) -> int:
    return int(round(ms / TICK_MS)) * TICK_MS


def raw_duration(word: str, index: int) -> float:
    """Relative length of a spoken word: longer words and digit strings take longer."""
    letters = sum(c.isalpha() for c in word)
    digits = sum(c.isdigit() for c in word)
    base = 110 + 48 * letters + 190 * digits
    jitter = (zlib.crc32(f"{index}:{word}".encode()) % 2001) / 10000 - 0.1  # +-10 %
    return base * (1 + jitter)


def build_timeline(topics: list[Topic]) -> tuple[list[Word], int, int]:
    """Give every spoken word a start and an end; return (words, applause_start, end)."""
    words: list[Word] = []
    pauses_after: list[float] = []
    for t_index, topic in enumerate(topics):
        for k, tok in enumerate(topic.tokens):
            last_of_topic = k == len(topic.tokens) - 1
            for j, w in enumerate(tok.spoken):
                tok.word_ids.append(len(words))
                words.append(Word(w, t_index))
                pause = 0.0
                if j == len(tok.spoken) - 1 and not last_of_topic:
                    if tok.sentence_end:
                        pause = SENTENCE_PAUSE_MS
                        if tok.paragraph_end:
                            pause += PARAGRAPH_PAUSE_MS
                    elif tok.clause_end:
                        pause = CLAUSE_PAUSE_MS
                pauses_after.append(pause)

    raw = [raw_duration(w.text, i) for i, w in enumerate(words)]
    budget = len(words) * 60000 / WPM - sum(pauses_after)
    scale = budget / sum(raw)
    durations = [max(MIN_WORD_MS, r * scale) for r in raw]

    t = float(MUSIC_MS)
    for i, w in enumerate(words):
        if i > 0 and w.topic != words[i - 1].topic:
            t += TOPIC_PAUSE_MS
        w.start = _tick(t)
        t += durations[i]
        w.end = _tick(t)
        t += pauses_after[i]
    applause = words[-1].end + APPLAUSE_GAP_MS
    return words, applause, applause + APPLAUSE_MS


# ---- WebVTT (YouTube automatic caption style) -------------------------------------
def vtt_time(ms: int) -> str:
    h, rest = divmod(ms, 3600000)
    m, rest = divmod(rest, 60000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def srt_time(ms: int) -> str:
    return vtt_time(ms).replace(".", ",")


def vtt_lines(words: list[Word]) -> list[list[int]]:
    """Split the words of each topic into caption lines of 4 to 9 words."""
    lines: list[list[int]] = []
    by_topic: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        by_topic.setdefault(w.topic, []).append(i)
    for ids in by_topic.values():
        chunk: list[list[int]] = []
        cur: list[int] = []
        for i in ids:
            if cur:
                width = sum(len(words[j].text) + 1 for j in cur) + len(words[i].text)
                if len(cur) >= VTT_LINE_MAX_WORDS or (
                    len(cur) >= VTT_LINE_MIN_WORDS and width > VTT_LINE_TARGET_CHARS
                ):
                    chunk.append(cur)
                    cur = []
            cur.append(i)
        chunk.append(cur)
        if len(chunk) > 1 and len(chunk[-1]) < VTT_LINE_MIN_WORDS:
            merged = chunk[-2] + chunk[-1]
            if len(merged) <= VTT_LINE_MAX_WORDS:
                chunk[-2:] = [merged]
            else:
                half = (len(merged) + 1) // 2
                chunk[-2:] = [merged[:half], merged[half:]]
        lines.extend(chunk)
    return lines


def render_vtt(words: list[Word], applause: int, end: int) -> str:
    lines = vtt_lines(words)
    plain = [" ".join(words[i].text for i in line) for line in lines]

    def tagged(line: list[int]) -> str:
        first, rest = line[0], line[1:]
        return words[first].text + "".join(
            f"<{vtt_time(words[i].start)}><c> {words[i].text}</c>" for i in rest
        )

    def cue(start: int, stop: int, first: str, second: str) -> str:
        return f"{vtt_time(start)} --> {vtt_time(stop)} {VTT_CUE_SETTINGS}\n{first}\n{second}\n"

    starts = [words[line[0]].start for line in lines]
    cues = [cue(0, starts[0], " ", "[Music]")]
    for n, line in enumerate(lines):
        next_start = starts[n + 1] if n + 1 < len(lines) else applause
        previous = plain[n - 1] if n else " "
        cues.append(cue(starts[n], next_start - TICK_MS, previous, tagged(line)))
        cues.append(cue(next_start - TICK_MS, next_start, plain[n], " "))
    cues.append(cue(applause, end, plain[-1], "[Applause]"))
    return "WEBVTT\nKind: captions\nLanguage: en\n\n" + "\n".join(cues)


# ---- SRT -------------------------------------------------------------------------
def wrap2(units: list[str], width: int = SRT_LINE_CHARS) -> list[str] | None:
    """Lay out units on one line, or on two balanced lines, each at most `width`."""
    one = " ".join(units)
    if len(one) <= width:
        return [one]
    best: tuple[int, list[str]] | None = None
    for k in range(1, len(units)):
        a, b = " ".join(units[:k]), " ".join(units[k:])
        if len(a) <= width and len(b) <= width:
            score = abs(len(a) - len(b))
            if best is None or score < best[0]:
                best = (score, [a, b])
    return best[1] if best else None


def split_sentence(tokens: list[Token], prefix: str | None) -> list[tuple[list[Token], list[str]]]:
    """Cut one sentence into the fewest cues that fit, preferring cuts at commas."""
    n = len(tokens)

    def layout(i: int, j: int) -> list[str] | None:
        units = [t.text for t in tokens[i:j]]
        if prefix is not None and i == 0:
            units = [prefix] + units
        if j - i > SRT_MAX_WORDS:
            return None
        return wrap2(units)

    inf = float("inf")
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for j in range(1, n + 1):
        for i in range(max(0, j - SRT_MAX_WORDS), j):
            if best[i] == inf:
                continue
            lay = layout(i, j)
            if lay is None:
                continue
            chars = sum(len(x) for x in lay)
            last = tokens[j - 1]
            cost = 1000 + 0.02 * chars * chars
            if not (last.clause_end or last.sentence_end):
                cost += 40
            if best[i] + cost < best[j]:
                best[j], back[j] = best[i] + cost, i
    if best[n] == inf:
        raise SystemExit("a word is too long for an SRT line: " + " ".join(t.text for t in tokens))
    cuts = []
    j = n
    while j > 0:
        cuts.append((back[j], j))
        j = back[j]
    cuts.reverse()
    return [(tokens[i:j], layout(i, j)) for i, j in cuts]  # type: ignore[misc]


def render_srt(topics: list[Topic], words: list[Word], applause: int, end: int) -> str:
    blocks: list[tuple[int, int, list[str]]] = []
    prefix: str | None = SRT_SPEAKER
    for topic in topics:
        sentence: list[Token] = []
        for tok in topic.tokens:
            sentence.append(tok)
            if tok.sentence_end:
                for toks, lay in split_sentence(sentence, prefix):
                    start = words[toks[0].word_ids[0]].start
                    stop = words[toks[-1].word_ids[-1]].end
                    blocks.append((start, stop, lay))
                    prefix = None
                sentence = []
        assert not sentence  # every paragraph ends a sentence
    blocks.append((applause, end, ["[Applause]"]))
    out = []
    for n, (start, stop, lay) in enumerate(blocks, 1):
        out.append(f"{n}\n{srt_time(start)} --> {srt_time(stop)}\n" + "\n".join(lay) + "\n")
    return "\n".join(out)


# ---- topics.json ------------------------------------------------------------------
def render_topics(topics: list[Topic], words: list[Word], end: int) -> str:
    items = []
    for t_index, topic in enumerate(topics):
        ws = [w for w in words if w.topic == t_index]
        items.append({
            "title": topic.title,
            "start_ms": ws[0].start,
            "end_ms": ws[-1].end,
            "words": len(ws),
        })
    return json.dumps({"duration_ms": end, "topics": items}, indent=2, ensure_ascii=False) + "\n"


def generate() -> dict[Path, str]:
    _title, topics = parse_script(SCRIPT.read_text(encoding="utf-8"))
    words, applause, end = build_timeline(topics)
    return {
        VTT: render_vtt(words, applause, end),
        SRT: render_srt(topics, words, applause, end),
        TOPICS: render_topics(topics, words, end),
    }


# ---- self-check -------------------------------------------------------------------
TS = r"(\d\d):(\d\d):(\d\d)[.,](\d\d\d)"


def parse_ts(s: str) -> int:
    m = re.fullmatch(TS, s)
    if not m:
        raise ValueError(f"bad timestamp {s!r}")
    h, mi, se, ms = map(int, m.groups())
    return ((h * 60 + mi) * 60 + se) * 1000 + ms


def check() -> list[str]:
    errors: list[str] = []

    def expect(cond: bool, msg: str) -> None:
        if not cond:
            errors.append(msg)

    # 0. the files on disk are exactly what the generator produces now
    fresh = generate()
    for path, text in fresh.items():
        expect(path.exists() and path.read_bytes() == text.encode("utf-8"),
               f"{path.name} is missing or stale; run make_captions.py")
    if errors:
        return errors

    _title, topics = parse_script(SCRIPT.read_text(encoding="utf-8"))
    script_words = [w for t in topics for tok in t.tokens for w in tok.spoken]
    script_tokens = [tok.text for t in topics for tok in t.tokens]

    # 1. VTT: header, cue shapes, rolling pattern, times
    text = VTT.read_text(encoding="utf-8")
    expect(text.startswith("WEBVTT\nKind: captions\nLanguage: en\n\n"), "vtt header")
    blocks = text[len("WEBVTT\nKind: captions\nLanguage: en\n\n"):].split("\n\n")
    cues = []
    for b in blocks:
        rows = b.rstrip("\n").split("\n")
        m = re.fullmatch(TS.replace("[.,]", r"\.") + " --> " + TS.replace("[.,]", r"\.")
                         + " " + re.escape(VTT_CUE_SETTINGS), rows[0])
        expect(m is not None, f"vtt cue header {rows[0]!r}")
        expect(len(rows) == 3, f"vtt cue must have exactly two text lines: {b!r}")
        a, z = rows[0].split(" ")[0], rows[0].split(" ")[2]
        cues.append((parse_ts(a), parse_ts(z), rows[1], rows[2]))
    prev_end = 0
    for n, (a, z, _l1, _l2) in enumerate(cues):
        expect(a < z, f"vtt cue {n} is empty or reversed")
        expect(a == prev_end, f"vtt cue {n} does not start where cue {n - 1} ended")
        prev_end = z
    expect(cues[0][0] == 0 and cues[0][2:] == (" ", "[Music]"), "vtt must open with [Music]")
    expect(cues[1][2] == " ", "first content cue's first line must be a single space")
    expect(cues[-1][3] == "[Applause]", "vtt must close with [Applause]")

    vtt_words: list[tuple[str, int]] = []
    shown_prev = " "
    line_sizes = []
    body = cues[1:-1]
    expect(len(body) % 2 == 0, "content cues must come in (line, 10 ms) pairs")
    for k in range(0, len(body) - 1, 2):
        a, z, first, second = body[k]
        ta, tz, tfirst, tsecond = body[k + 1]
        expect(first == shown_prev, f"cue at {vtt_time(a)} must repeat the previous line")
        m = re.match(r"([^<\s]+)", second)
        expect(m is not None, f"cue at {vtt_time(a)} has no first word")
        line_words = [(m.group(1) if m else "?", a)]
        rest = second[m.end():] if m else ""
        for tm in re.finditer(r"<" + TS.replace("[.,]", r"\.") + r"><c> ([^<]+)</c>", rest):
            t = parse_ts(tm.group(0)[1:13])
            line_words.append((tm.group(5), t))
        rebuilt = line_words[0][0] + "".join(
            f"<{vtt_time(t)}><c> {w}</c>" for w, t in line_words[1:])
        expect(rebuilt == second, f"cue at {vtt_time(a)}: unexpected inline markup")
        times = [t for _w, t in line_words]
        expect(all(x < y for x, y in zip(times, times[1:])), f"cue at {vtt_time(a)}: word times not increasing")
        expect(times[-1] < z, f"cue at {vtt_time(a)}: word after cue end")
        plain = " ".join(w for w, _t in line_words)
        expect(tz - ta == TICK_MS, f"cue at {vtt_time(ta)} should last 10 ms")
        expect((tfirst, tsecond) == (plain, " "), f"cue at {vtt_time(ta)} must show the finished line and a space")
        expect(plain == plain.lower() and not re.search(r"[^\w' .]", plain), f"vtt line not normalized: {plain!r}")
        line_sizes.append(len(line_words))
        vtt_words.extend(line_words)
        shown_prev = plain
    expect(cues[-1][2] == shown_prev, "[Applause] cue must repeat the last line")
    expect(all(VTT_LINE_MIN_WORDS <= s <= VTT_LINE_MAX_WORDS for s in line_sizes), "vtt line with <4 or >9 words")
    expect(all(x[1] < y[1] for x, y in zip(vtt_words, vtt_words[1:])), "vtt word times not increasing")
    expect([w for w, _t in vtt_words] == script_words, "vtt words differ from the script's words")
    vtt_end = cues[-1][1]

    # 2. SRT: numbering, times, layout, text
    text = SRT.read_text(encoding="utf-8")
    blocks = text.rstrip("\n").split("\n\n")
    prev_end = 0
    srt_tokens: list[str] = []
    srt_cues = []
    for n, b in enumerate(blocks, 1):
        rows = b.split("\n")
        expect(rows[0] == str(n), f"srt cue {n} numbered {rows[0]!r}")
        a, arrow, z = rows[1].partition(" --> ")
        a_ms, z_ms = parse_ts(a), parse_ts(z)
        expect("," in a and "," in z, f"srt cue {n}: use a comma before milliseconds")
        expect(a_ms < z_ms and a_ms >= prev_end, f"srt cue {n} overlaps or is reversed")
        prev_end = z_ms
        lines = rows[2:]
        expect(1 <= len(lines) <= 2 and all(len(x) <= SRT_LINE_CHARS for x in lines),
               f"srt cue {n} layout {lines!r}")
        content = " ".join(lines)
        if n == 1:
            expect(content.startswith(SRT_SPEAKER + " "), "first srt cue needs the speaker label")
            content = content[len(SRT_SPEAKER) + 1:]
        expect(SRT_SPEAKER not in content, f"speaker label repeated in srt cue {n}")
        if n == len(blocks):
            expect(content == "[Applause]", "last srt cue must be [Applause]")
            expect(z_ms == vtt_end, "srt and vtt must end together")
            continue
        toks = content.split(" ")
        expect(len(toks) <= SRT_MAX_WORDS + 1, f"srt cue {n} has too many words")
        srt_cues.append((a_ms, z_ms, len(srt_tokens), toks))
        srt_tokens.extend(toks)
    expect(" ".join(srt_tokens) == " ".join(script_tokens), "srt text differs from the script")

    # every srt cue starts on the vtt time of its first word
    flat: list[int] = []  # token index -> index of its first spoken word
    k = 0
    for tok_text in " ".join(script_tokens).split(" "):
        flat.append(k)
        k += len(spoken_words(tok_text))
    for a_ms, _z, first_tok, _toks in srt_cues:
        expect(vtt_words[flat[first_tok]][1] == a_ms, f"srt cue at {srt_time(a_ms)} does not match the vtt")

    # 3. topics.json against both files
    data = json.loads(TOPICS.read_text(encoding="utf-8"))
    expect(data["duration_ms"] == vtt_end, "duration_ms differs from the vtt")
    expect([t["title"] for t in data["topics"]] == [t.title for t in topics], "topic titles")
    expect(sum(t["words"] for t in data["topics"]) == len(vtt_words), "topic word counts")
    srt_starts = {c[0] for c in srt_cues}
    srt_ends = {c[1] for c in srt_cues}
    first = 0
    for n, t in enumerate(data["topics"]):
        last = first + t["words"] - 1
        expect(vtt_words[first][1] == t["start_ms"], f"topic {n} start_ms differs from the vtt")
        expect(vtt_words[last][1] < t["end_ms"], f"topic {n} end_ms before its last word")
        if last + 1 < len(vtt_words):
            expect(t["end_ms"] + TOPIC_PAUSE_MS == vtt_words[last + 1][1], f"topic {n}: wrong gap to the next topic")
        expect(t["start_ms"] in srt_starts and t["end_ms"] in srt_ends, f"topic {n} boundaries not on srt cue edges")
        first = last + 1

    # 4. length and rate
    speech_ms = sum(t["end_ms"] - t["start_ms"] for t in data["topics"])
    wpm = len(vtt_words) / (speech_ms / 60000)
    expect(vtt_end >= 20 * 60000, f"lecture too short: {vtt_end / 60000:.1f} min")
    expect(140 <= wpm <= 160, f"speaking rate {wpm:.1f} wpm out of range")
    if not errors:
        print(f"ok: {len(vtt_words)} words, {len(line_sizes)} vtt lines, {len(srt_cues) + 1} srt cues, "
              f"duration {vtt_time(vtt_end)} ({vtt_end} ms), {wpm:.1f} wpm inside topics")
        for t in data["topics"]:
            print(f"  {vtt_time(t['start_ms'])} - {vtt_time(t['end_ms'])}  {t['words']:4d} words  {t['title']}")
    return errors


def main(argv: list[str]) -> int:
    if argv[1:] == ["--check"]:
        errors = check()
        for e in errors[:50]:
            print("FAIL:", e, file=sys.stderr)
        return 1 if errors else 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    for path, text in generate().items():
        path.write_bytes(text.encode("utf-8"))
        print("wrote", path.relative_to(HERE))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
