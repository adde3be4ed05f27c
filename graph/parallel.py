"""Reading many files at once: worker processes on this machine, or the workers of a Dask cluster.

Each worker holds its own extractor (the build's configuration, its own spaCy model) and reads whole
files; the records come back to the build, which resolves and writes them, so the graphs do not depend
on how many workers there were or where they ran. Our rules take about as long as spaCy's parse, so
parallel files beat spaCy's own `n_process`, which parallelizes only the parse. At most two files per
worker are in flight, so memory does not grow with the queue, and the records come back in file order.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator

from extract.pipeline import Extractor, ExtractorConfig
from extract.records import Extraction, SourceFile

_EXTRACTORS: dict[ExtractorConfig, Extractor] = {}  # in a worker process: one extractor per configuration


def _extractor(config: ExtractorConfig) -> Extractor:
    if config not in _EXTRACTORS:
        _EXTRACTORS[config] = Extractor(config)
    return _EXTRACTORS[config]


def analyse_in_worker(config: ExtractorConfig, source: SourceFile) -> Extraction:
    """Read one file in a worker process, with the extractor for this configuration (made once there)."""
    return _extractor(config).analyse(source)


def _load_model(config: ExtractorConfig) -> None:
    """A process pool's initializer: load the model before the first file, not with it."""
    _extractor(config).finder  # noqa: B018


def in_order(submit: Callable[[SourceFile], object], result: Callable[[object], Extraction],
             sources: Iterable[SourceFile], window: int) -> Iterator[Extraction]:
    """Submit files as results are taken, `window` at most in flight, and give the results in file order."""
    pending: deque = deque()
    for source in sources:
        pending.append(submit(source))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def analyse_all(extractor: Extractor, sources: list[SourceFile], workers: int = 1,
                dask: str | None = None) -> Iterator[Extraction]:
    """The extractions of the files, in their order: here, in `workers` processes, or on Dask."""
    if dask:
        yield from _on_dask(extractor.config, sources, dask, workers)
    elif workers <= 1 or len(sources) <= 1:
        yield from (extractor.analyse(s) for s in sources)
    else:
        context = multiprocessing.get_context("spawn")  # never fork a process holding the open store
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_load_model,
                                 initargs=(extractor.config,)) as pool:
            yield from in_order(lambda s: pool.submit(analyse_in_worker, extractor.config, s),
                                lambda f: f.result(), sources, 2 * workers)


def _on_dask(config: ExtractorConfig, sources: list[SourceFile], address: str, workers: int) -> Iterator[Extraction]:
    """Files as Dask tasks. `address` is a scheduler's ("tcp://host:8786"), whose workers have archivekg and
    the spaCy model installed, or "local": a cluster of `workers` processes started here for the build."""
    from distributed import Client, LocalCluster  # only a Dask build needs Dask

    cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                           dashboard_address=None) if address == "local" else None
    with Client(cluster or address) as client:
        size = max(1, len(client.scheduler_info().get("workers", {})))
        yield from in_order(lambda s: client.submit(analyse_in_worker, config, s, pure=False),
                            lambda f: f.result(), sources, 2 * size)
    if cluster is not None:
        cluster.close()
