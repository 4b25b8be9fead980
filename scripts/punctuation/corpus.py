#!/usr/bin/env python3
"""Prose paragraphs from HTML documentation, one per line, for training the
punctuation model (see scripts/train-punctuation).

Only <p> elements are kept, and only those that read as prose: enough
words, mostly words rather than code or numbers, ending a sentence. Files
are read in sorted order so the output is the same on every machine.
"""

import html.parser
import pathlib
import re
import sys

MIN_WORDS = 8
WORD = re.compile(r"^[A-Za-z][A-Za-z'’-]*[.,;:?!)\"”’]*$")


class Paragraphs(html.parser.HTMLParser):
    """Collects the text of paragraphs (<p>, or DocBook's <div class="para">),
    leaving out those with a block of code inside them (inline code reads
    as words and stays)."""

    SKIP = {"pre", "script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tag = None  # the open paragraph's tag
        self.nested = 0  # elements of that tag open inside it
        self.skipping = 0
        self.text = []
        self.found = []
        self.code = False

    def handle_starttag(self, tag, attrs):
        if self.tag is None:
            if tag == "p" or (tag == "div" and ("class", "para") in attrs):
                self.tag, self.nested, self.text, self.code = tag, 0, [], False
            elif tag in self.SKIP:
                self.skipping += 1
            return
        if tag == self.tag:
            self.nested += 1
        if tag in self.SKIP:
            self.skipping += 1
            self.code = True

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if self.tag is not None and tag == self.tag:
            if self.nested:
                self.nested -= 1
                return
            if not self.code:
                self.found.append(" ".join("".join(self.text).split()))
            self.tag = None

    def handle_data(self, data):
        if self.tag is not None and not self.skipping:
            self.text.append(data)


def prose(paragraph):
    words = paragraph.split()
    if len(words) < MIN_WORDS or not paragraph.endswith((".", "?", "!")):
        return False
    wordy = sum(1 for w in words if WORD.match(w))
    return wordy >= 0.85 * len(words)


def main():
    roots = [pathlib.Path(a) for a in sys.argv[1:]]
    if not roots:
        sys.exit("usage: corpus.py DIR_OR_FILE… > paragraphs.txt")
    seen = set()
    for root in roots:
        files = sorted(p for p in root.rglob("*.html") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            parser = Paragraphs()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            for paragraph in parser.found:
                if prose(paragraph) and paragraph not in seen:
                    seen.add(paragraph)
                    print(paragraph)


if __name__ == "__main__":
    main()
