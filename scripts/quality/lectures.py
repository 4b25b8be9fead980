#!/usr/bin/env python3
"""Lectures with known boundaries, built from a DocBook manual's HTML.

    lectures.py MANUAL_DIR NAME OUT_DIR [FIRST_PAGE]

Walks the manual's pages in reading order (each page's rel="next" link,
from FIRST_PAGE, index.html unless given), takes each chapter and its sections' prose paragraphs,
and speaks them as a lecture of about 50 minutes at 150 words a minute:
whole chapters in order, each section cut to a share of the time so that
enough chapters fit. Writes two captions of the same speech and the truth:

  NAME.clean.vtt  cased and punctuated, as uploaded captions are;
  NAME.auto.vtt   lower case, no punctuation, as automatic captions are;
  NAME.truth.json chapter and section start times, and each chapter's span.

Both are evenly timed (every word the same length, no pauses), so only
the words tell where a sentence or a topic ends.
"""

import json
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "punctuation"))
import corpus  # noqa: E402  (the same prose filter the training uses)

WORDS_PER_MINUTE = 150
TARGET_WORDS = 50 * WORDS_PER_MINUTE
MAX_SECTION_WORDS = 450
MAX_SECTIONS = 4
MIN_CHAPTER_WORDS = 600
CUE_WORDS = 10
MS_PER_WORD = 60_000 // WORDS_PER_MINUTE

# Both DocBook stylesheets' HTML: XSL's (lower case, rel before href) and
# the older DSSSL's (upper case, attributes on lines of their own).
LINK = re.compile(r"<link\b[^>]*>", re.I | re.S)
NEXT = re.compile(r'\brel="next"', re.I)
HREF = re.compile(r'\bhref="([^"#]+)', re.I)
KIND = re.compile(
    r'<div\b[^>]*?\bclass="(chapter|sect1|section|appendix|preface|part|reference|glossary|index|bibliography|sect2|refentry)"',
    re.I,
)
FOOTNOTE = re.compile(r"\s*\[\d+\]")
TITLE = re.compile(r"<title\b[^>]*>(.*?)</title", re.S | re.I)


# A section that opens on its chapter's page: its div and its top-level
# (h2) title, as single-page chapters lay them out.
INLINE_SECTION = re.compile(
    r'<div\b[^>]*?\bclass="(?:sect1|section)"[^>]*>\s*<div\b[^>]*?\bclass="titlepage".*?<h2\b[^>]*>(.*?)</h2>',
    re.I | re.S,
)


def plain(html):
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", html)).strip()


def prose_of(html):
    parser = corpus.Paragraphs()
    parser.feed(html)
    # Footnote marks ("iterates [1] a list") are read, not said.
    return [FOOTNOTE.sub("", p) for p in parser.found if corpus.prose(p)]


def pages(manual, first):
    """(kind, title, paragraphs, inline) of each page, in reading order;
    `inline`: the (title, paragraphs) of each section a chapter page holds
    itself, as single-page chapters do."""
    seen = set()
    name = first
    while name and name not in seen and (manual / name).is_file():
        seen.add(name)
        text = (manual / name).read_text(encoding="utf-8", errors="replace")
        kind = KIND.search(text)
        kind = kind.group(1).lower() if kind else ""
        title = TITLE.search(text)
        title = plain(title.group(1)) if title else name
        found = list(INLINE_SECTION.finditer(text)) if kind == "chapter" else []
        ends = [m.start() for m in found[1:]] + [len(text)]
        inline = [(plain(m.group(1)), prose_of(text[m.start() : end])) for m, end in zip(found, ends)]
        if inline:
            inline.insert(0, (title, prose_of(text[: found[0].start()])))
        yield (kind, title, prose_of(text), inline)
        following = [HREF.search(link) for link in LINK.findall(text) if NEXT.search(link)]
        name = following[0].group(1) if following and following[0] else None


def chapters(manual, first):
    """Chapters as (title, [(section title, [paragraph])]): the sections on
    pages of their own, or else those on the chapter's page."""
    out, inline = [], []

    def close():
        if out and out[-1] is not None and len(out[-1][1]) <= 1 and inline:
            out[-1] = (out[-1][0], [(t, p) for t, p in inline if p])

    for kind, title, prose, sections in pages(manual, first):
        if kind == "chapter":
            close()
            out.append((title, [(title, prose)] if prose else []))
            inline = sections
        elif kind in ("sect1", "section") and out and out[-1] is not None:
            out[-1][1].append((title, prose))
        elif kind not in ("sect2", "refentry"):
            close()
            out.append(None)  # a part, appendix…: the chapters before end
            inline = []
    close()
    return out


def cut(paragraphs, limit):
    """Whole sentences of `paragraphs` up to about `limit` words."""
    words = []
    for paragraph in paragraphs:
        for sentence in re.split(r"(?<=[.?!])\s+", paragraph):
            n = len(sentence.split())
            if words and len(words) + n > limit:
                return words
            words.extend(sentence.split())
    return words


def lecture(manual, first):
    """The lecture's chapters: (title, [(section title, words)])."""
    picked, total = [], 0
    for chapter in chapters(manual, first):
        if chapter is None:
            continue
        title, sections = chapter
        spoken = [(t, cut(p, MAX_SECTION_WORDS)) for t, p in sections[:MAX_SECTIONS]]
        spoken = [(t, w) for t, w in spoken if len(w) >= 60]
        words = sum(len(w) for _, w in spoken)
        if words < MIN_CHAPTER_WORDS or len(spoken) < 2:
            continue
        picked.append((title, spoken))
        total += words
        if total >= TARGET_WORDS:
            break
    return picked


def clock(ms):
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02}:{m:02}:{s:02}.{ms:03}"


def auto_style(word):
    return re.sub(r"[^\w'%$-]", "", word.lower().replace("’", "'"))


def ends_clause(words, i):
    """Whether the text ends a sentence or clause at word i: a mark after
    it, a dash or an opening parenthesis next, or a sentence glued to the
    next one without a space ("semicolon ;;.If a condition")."""
    w, following = words[i], words[i + 1] if i + 1 < len(words) else ""
    return bool(
        re.search(r"[.?!,;:][\"')\]”’]*$", w)
        or re.search(r"[a-z)\]][.?!][\"')\]”’]*[A-Z][a-z]", w)
        or following in ("—", "–", "-", "--")
        or following.startswith("(")
    )


def main():
    manual, name, out = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
    first = sys.argv[4] if len(sys.argv) > 4 else "index.html"
    picked = lecture(manual, first)
    words, truth = [], {"name": name, "chapters": []}
    for title, sections in picked:
        chapter = {"title": title, "start_ms": len(words) * MS_PER_WORD, "sections": []}
        for section_title, spoken in sections:
            chapter["sections"].append({"title": section_title, "start_ms": len(words) * MS_PER_WORD})
            words.extend(spoken)
        chapter["end_ms"] = len(words) * MS_PER_WORD
        truth["chapters"].append(chapter)
    truth["duration_ms"] = len(words) * MS_PER_WORD
    # Where the written text ends a sentence or a clause: a sentence of the
    # course that ends anywhere else is cut off mid-thought.
    truth["sentence_end_ms"] = [i * MS_PER_WORD for i in range(len(words)) if ends_clause(words, i)]
    truth["ms_per_word"] = MS_PER_WORD
    out.mkdir(parents=True, exist_ok=True)
    for style, shape in (("clean", lambda w: w), ("auto", auto_style)):
        lines = ["WEBVTT", ""]
        for i in range(0, len(words), CUE_WORDS):
            cue = [shape(w) for w in words[i : i + CUE_WORDS]]
            cue = [w for w in cue if w]
            end = min(i + CUE_WORDS, len(words))
            # WebVTT forbids "-->" in a cue's text ("stable --> testing").
            text = " ".join(cue).replace("-->", "→")
            lines += [f"{clock(i * MS_PER_WORD)} --> {clock(end * MS_PER_WORD)}", text, ""]
        (out / f"{name}.{style}.vtt").write_text("\n".join(lines), encoding="utf-8")
    (out / f"{name}.truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    minutes = truth["duration_ms"] / 60_000
    sections = sum(len(c["sections"]) for c in truth["chapters"])
    print(f"{name}: {minutes:.0f} min, {len(truth['chapters'])} chapters, {sections} sections", file=sys.stderr)


if __name__ == "__main__":
    main()
