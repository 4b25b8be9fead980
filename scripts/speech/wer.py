"""Word error rate of a transcript (WebVTT) against the text that was read
aloud, when the recording stopped somewhere in that text: the reference is
the prefix of the text that the transcript matches best.

    python wer.py TRANSCRIPT.vtt TEXT
"""

import re
import sys

import numpy as np


def words(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def main():
    vtt, text = sys.argv[1:3]
    lines = open(vtt, encoding="utf-8").read().split("\n")
    heard = words(" ".join(l for l in lines if l and "-->" not in l and l != "WEBVTT"))
    spoken = words(open(text, encoding="utf-8").read())
    # Edit distance of everything heard against each prefix of the text,
    # one row of the table per spoken word.
    row = np.arange(len(heard) + 1)
    best = (row[-1], 0)
    for i, word in enumerate(spoken, 1):
        same = np.array([h == word for h in heard])
        diagonal = row[:-1] + ~same
        next_row = np.empty_like(row)
        next_row[0] = i
        next_row[1:] = np.minimum(diagonal, row[1:] + 1)
        # A run of insertions along the row.
        next_row = np.minimum.accumulate(next_row - np.arange(len(row))) + np.arange(len(row))
        row = next_row
        if row[-1] <= best[0]:
            best = (row[-1], i)
    errors, length = best
    print(f"word error rate {errors / max(length, 1):.3f} ({errors} edits, {length} words read)")


if __name__ == "__main__":
    main()
