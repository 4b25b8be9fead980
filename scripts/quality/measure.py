#!/usr/bin/env python3
"""The quality figures of a course made from a harness lecture.

    measure.py TRUTH.json CAPTIONS.vtt COURSE.json
    measure.py --pool RESULTS      (lines "NAME STYLE {json}" of the above)

Prints one JSON object (--pool: one per style, its lectures' counts added
up, so every lecture weighs by its boundaries, questions and sentences):
  chapter_recall, section_recall  true boundaries with a lesson starting
                                  within 30 s (the lecture's start excluded);
  questions_per_10_min, types     over lessons' exercises and the assessment;
  supported                       share of questions whose answer is found
                                  in the captions within its source span;
  fragments                       share of the course's sentences taken from
                                  the lecture (lesson text and key points)
                                  that end where the written text ends
                                  neither a sentence nor a clause: cut off
                                  mid-thought ("…is the.", "…about 100.");
  cross_chapter_distractors       share of wrong options, found in the
                                  captions, that come from another chapter
                                  than the question's source.
"""

import json
import re
import sys

TOLERANCE_MS = 30_000
TIME = re.compile(r"(\d+):(\d+):(\d+)\.(\d+) --> (\d+):(\d+):(\d+)\.(\d+)")


def words_of(text):
    """Lower-case words and numbers; a hyphen, dash or full stop parts
    words ("15-16" is said "15 16"; "--" is not said)."""
    return re.findall(r"\d+(?:[.,]\d+)*|[\w'%$]+", text.lower().replace("’", "'"))


def norm(word):
    """A word as compared: "100%", "$5" and "5.0" are the numbers said."""
    word = word.strip("'").rstrip("%").lstrip("$")
    if re.fullmatch(r"\d+(?:[.,]\d+)*", word):
        try:
            return repr(float(word.replace(",", "")))
        except ValueError:
            pass
    return word


def captions(path):
    """Every word of the captions with its time, in order."""
    out, lines = [], open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = TIME.match(line)
        if m and i + 1 < len(lines):
            g = [int(x) for x in m.groups()]
            start = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
            end = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
            said = lines[i + 1].split()
            for k, w in enumerate(said):
                at = start + (end - start) * k // len(said)
                out.extend((part, at) for part in map(norm, words_of(w)) if part)
    return out


def found_at(words, phrase, start=0, end=None):
    """Times where `phrase` occurs in `words` between the times given."""
    target = [norm(w) for w in words_of(phrase)]
    target = [w for w in target if w]
    if not target:
        return []
    hits = []
    for i in range(len(words) - len(target) + 1):
        t = words[i][1]
        if t < start or (end is not None and t > end):
            continue
        if all(words[i + k][0] == target[k] for k in range(len(target))):
            hits.append(t)
    return hits


def chapter_of(truth, ms):
    for i, c in enumerate(truth["chapters"]):
        if c["start_ms"] <= ms < c["end_ms"]:
            return i
    return None


def questions(course):
    for module in course["modules"]:
        for lesson in module["lessons"]:
            yield from lesson.get("exercises", [])
    if course.get("assessment"):
        yield from course["assessment"]["questions"]


def answers(q):
    kind = q["type"]
    if kind in ("single_choice", "multi_choice"):
        right = [o["text"] for o in q["options"] if o["correct"]]
        if re.match(r"How does .* differ from .*\?$", q["prompt"]):
            # "A is x, while B is y.": the two definitions it joins.
            return [part for text in right for part in text.rstrip(".").split(", while ")]
        return right
    if kind in ("fill_blank", "short_answer"):
        return q["accepted"][:1]
    if kind == "numeric" and q.get("value") is not None:
        v = q["value"]
        return [str(int(v)) if float(v).is_integer() else str(v)]
    if kind == "ordering":
        return q["items"]
    return []


def sentences(course):
    """Sentences of the lessons' text and key points (not headings, not the
    engine's own lines such as objectives)."""
    texts = []
    for module in course["modules"]:
        for lesson in module["lessons"]:
            section = ""
            for line in lesson["content_md"].splitlines():
                line = line.strip()
                if line.startswith("#"):
                    section = line.strip("# ").lower()
                    continue
                if section not in ("summary", "key points"):
                    continue
                line = re.sub(r"\(\d\d:\d\d(:\d\d)?\)$", "", line.strip("-* ").strip()).strip()
                if line:
                    texts.extend(re.split(r"(?<=[.?!])\s+", line))
    return [t for t in texts if len(t.split()) >= 4]


def fragments(said, words, truth):
    """Of `said`, those found in the captions, and those among them that
    end where the written text ends no sentence or clause (within a word)."""
    ends = truth["sentence_end_ms"]
    step = truth["ms_per_word"]
    index = {}
    for i in range(len(words) - 3):
        index.setdefault(tuple(w for w, _ in words[i : i + 4]), []).append(words[i + 3][1])
    found = cut = 0
    for sentence in said:
        tail = tuple(w for w in (norm(x) for x in words_of(sentence)[-4:]) if w)
        places = index.get(tail) if len(tail) == 4 else None
        if places:
            found += 1
            cut += all(all(abs(t - e) > step for e in ends) for t in places)
    return found, cut


def found_near(boundaries, starts):
    return sum(1 for b in boundaries if any(abs(b - s) <= TOLERANCE_MS for s in starts))


def share(part, whole, digits=2):
    return round(part / whole, digits) if whole else None


def pool(path):
    """Each style's counts summed over the lectures of a results file."""
    styles = {}
    for line in open(path, encoding="utf-8"):
        _name, style, data = line.split(" ", 2)
        counts = json.loads(data)["counts"]
        total = styles.setdefault(style, {k: [0, 0] for k in counts})
        for k, (a, b) in counts.items():
            total[k][0] += a
            total[k][1] += b
    for style, c in styles.items():
        print(f"all {style} " + json.dumps(figures(c)))


def figures(c):
    """The shares that `counts` ([part, whole] pairs) make."""
    return {
        "chapter_recall": share(*c["chapters"]),
        "section_recall": share(*c["sections"]),
        "questions_per_10_min": share(10 * c["questions"][0], c["questions"][1], 1),
        "supported": share(*c["supported"]),
        "fragments": share(*c["fragments"], 3),
        "cross_chapter_distractors": share(*c["foreign"]),
    }


def main():
    if sys.argv[1] == "--pool":
        pool(sys.argv[2])
        return
    truth = json.load(open(sys.argv[1], encoding="utf-8"))
    words = captions(sys.argv[2])
    course = json.load(open(sys.argv[3], encoding="utf-8"))
    starts = [l["start_ms"] for m in course["modules"] for l in m["lessons"]]
    chapters = [c["start_ms"] for c in truth["chapters"]][1:]
    sections = [s["start_ms"] for c in truth["chapters"] for s in c["sections"]][1:]
    qs = list(questions(course))
    supported = checked = 0
    foreign = located = 0
    for q in qs:
        span = q.get("source") or {}
        start, end = span.get("start_ms", 0), span.get("end_ms")
        expected = answers(q)
        if expected and end is not None:
            checked += 1
            margin = 5_000
            supported += all(found_at(words, a, start - margin, end + margin) for a in expected)
        if q["type"] in ("single_choice", "multi_choice") and end is not None:
            home = chapter_of(truth, (start + end) // 2)
            for o in q["options"]:
                if o["correct"]:
                    continue
                hits = found_at(words, o["text"])
                if hits:
                    located += 1
                    foreign += all(chapter_of(truth, t) != home for t in hits)
    found, cut = fragments(sentences(course), words, truth)
    minutes = truth["duration_ms"] / 60_000
    counts = {
        "chapters": [found_near(chapters, starts), len(chapters)],
        "sections": [found_near(sections, starts), len(sections)],
        "questions": [len(qs), minutes],
        "supported": [supported, checked],
        "fragments": [cut, found],
        "foreign": [foreign, located],
    }
    print(
        json.dumps(
            {
                "lecture": truth["name"],
                "minutes": round(minutes),
                "questions": len(qs),
                "types": sorted({q["type"] for q in qs}),
                **figures(counts),
                "assessment": len(course["assessment"]["questions"]) if course.get("assessment") else 0,
                "counts": counts,
            }
        )
    )


if __name__ == "__main__":
    main()
