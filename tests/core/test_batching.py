"""Opportunistic batching: each caller gets its own item's result, calls that queue behind a running batch share the
next one, a lone call runs at once, and an error reaches every caller of its batch."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.batching import OpportunisticBatcher


class SlowSquares:
    """A batch function that takes 20 ms per batch whatever its size (the GIL is released meanwhile), like a model."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.threads: set[int] = set()

    def __call__(self, items: list[int]) -> list[int]:
        self.sizes.append(len(items))
        self.threads.add(threading.get_ident())
        time.sleep(0.02)
        return [item * item for item in items]


def test_a_lone_call_runs_at_once_as_a_batch_of_one() -> None:
    run = SlowSquares()
    batcher = OpportunisticBatcher(run, max_batch=8)
    assert [batcher(n) for n in range(3)] == [0, 1, 4]
    assert run.sizes == [1, 1, 1] and (batcher.batches, batcher.items) == (3, 3)


def test_concurrent_calls_share_batches_and_each_gets_its_own_result() -> None:
    run = SlowSquares()
    batcher = OpportunisticBatcher(run, max_batch=4)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(batcher, range(64)))
    assert results == [n * n for n in range(64)]
    assert sum(run.sizes) == 64 and max(run.sizes) <= 4
    assert len(run.sizes) < 64 / 2  # most calls ran with others: 16 threads, batches of up to 4
    assert len(run.threads) > 1  # the next batch is handed to a waiting caller, not run by one thread for everyone


def test_an_error_reaches_every_caller_of_its_batch_and_the_batcher_goes_on() -> None:
    def fail_on_seven(items: list[int]) -> list[int]:
        time.sleep(0.01)
        if 7 in items:
            raise ValueError("seven")
        return items

    batcher = OpportunisticBatcher(fail_on_seven, max_batch=64)
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(batcher, n) for n in range(8)]
    outcomes = [f.exception() or f.result() for f in futures]
    assert isinstance(outcomes[7], ValueError)
    assert all(o == n or isinstance(o, ValueError) for n, o in enumerate(outcomes))
    assert batcher(3) == 3  # nothing is stuck


def test_a_batch_function_that_drops_results_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="a batch of 1 gave 0 results"):
        OpportunisticBatcher(lambda items: [], max_batch=2)(1)
