"""Benchmark: the cost of one document grows linearly with its length.

A page scraped as HTML soup can be one paragraph of hundreds of sentences; every per-event or
per-mention step that looks at the whole paragraph again makes such a page cost the square of its
length. This builds one-paragraph pages of 1x, 2x and 4x the same text (dated sentences from the
development corpus, joined without a line break) and prints the time of each and the ratios to 1x,
in-process after the model is loaded (best of two runs). Linear: 4x costs about 4x.

    python bench/length_bench.py [--sentences 100] [--profile]   # --profile: the top functions at 4x
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.dates import find_dates  # noqa: E402
from extract.pipeline import Extractor  # noqa: E402
from extract.reader import is_boilerplate  # noqa: E402

TITLE = "Report on the situation in Iranian Azerbaijan\n\n"  # the page's title line, then the one paragraph

BOILERPLATE = re.compile(r"Digital Archive|made possible|Skip to content|Citation|Download|Original Archive")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def dated_sentences(n: int) -> list[str]:
    """The first `n` one-line sentences of the development corpus that hold a full date."""
    out: list[str] = []
    for path in sorted((ROOT / "seeds").rglob("*.txt")):
        for s in SENTENCE_END.split(" ".join(path.read_text(encoding="utf-8").split())):
            if 30 <= len(s) <= 400 and find_dates(s, "1945-12-01") and s not in out \
                    and not is_boilerplate(s) and not BOILERPLATE.search(s):
                out.append(s)
                if len(out) == n:
                    return out
    return out


def timed(extractor: Extractor, text: str) -> tuple[float, int]:
    best, events = float("inf"), 0
    for _ in range(2):
        start = time.perf_counter()
        events = len(extractor.analyse_text(text, "1945-12-01", name="soup").events)
        best = min(best, time.perf_counter() - start)
    return best, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=100, help="dated sentences in the 1x page")
    parser.add_argument("--profile", action="store_true", help="print the top functions of the 4x page")
    args = parser.parse_args()
    block = " ".join(dated_sentences(args.sentences))
    extractor = Extractor()
    extractor.analyse_text("Warm-up on 1 December 1945.", "1945-12-01")
    base = None
    print(f"one-paragraph page of {args.sentences} dated sentences ({len(block):,} characters), repeated:")
    for times in (1, 2, 4):
        seconds, events = timed(extractor, TITLE + " ".join([block] * times))
        base = base or seconds
        print(f"  {times}x  {len(block) * times:8,} chars  {seconds:7.2f} s  {events:5} events  ratio to 1x {seconds / base:5.2f}")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(extractor.analyse_text, TITLE + " ".join([block] * 4), "1945-12-01", "soup")
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
