"""Benchmark: entity resolution time as the number of distinct names grows (blocking keeps it near-linear).

Names are made up from syllables, each written in a few transliteration variants, as an archive would.
Prints seconds and the ratio to the previous size; run with `.venv/bin/python bench/resolve_bench.py`.
"""
from __future__ import annotations

import random
import time

from extract.authority import Authority
from extract.records import Field, Mention
from extract.resolve import resolve

SYLLABLES = ["ba", "gi", "rov", "de", "rakh", "sha", "ni", "pi", "she", "va", "ri", "ma", "len", "kov", "za", "de"]


def names(n: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(n):
        base = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        out += [base, base.replace("kh", "k"), base.replace("ov", "off"), base.replace("i", "y")]
    return out


def mentions(n: int) -> list[Mention]:
    rng = random.Random(n)
    return [Mention(f"d{i % 50}", 0, len(name), name, name, "Person", Field(0, len(name), name), "body", "bench", 1.0)
            for i, name in enumerate(names(n, rng))]


def main() -> None:
    previous = None
    for n in (250, 500, 1000, 2000):
        ms = mentions(n)
        start = time.perf_counter()
        entities = resolve(ms, authority=Authority())
        seconds = time.perf_counter() - start
        ratio = f"{seconds / previous:5.2f}x for 2x names" if previous else ""
        print(f"{n:5d} names, {len(ms):5d} mentions -> {len(entities):5d} entities  {seconds:7.3f} s  {ratio}")
        previous = seconds


if __name__ == "__main__":
    main()
