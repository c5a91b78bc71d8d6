"""The extraction pool, with real worker processes: pages waiting for a worker go in the analysis's order."""

from __future__ import annotations

import asyncio

from monitor.workers import ExtractionPool


def page(n: int) -> bytes:
    return (f"<html><body><article><p>Report number {n}: the ferry left the harbour at dawn and reached the "
            "island before noon, the operator said.</p></article></body></html>").encode()


async def extract_in_turn(pool: ExtractionPool, order: list[int], cancel_after: dict[int, list[int]] | None = None,
                          ) -> list[int]:
    """Ask for the pages in ``order`` at once (priority = number); return the order they finished in.
    ``cancel_after``: when page k finishes, cancel the requests for these pages."""
    finished: list[int] = []
    tasks: dict[int, asyncio.Future[None]] = {}

    async def one(n: int) -> None:
        extracted = await pool.extract(page(n), f"http://127.0.0.1/{n}", (n,))
        assert extracted is not None and f"number {n}" in extracted.text
        finished.append(n)
        for other in (cancel_after or {}).get(n, []):
            tasks[other].cancel()

    tasks.update((n, asyncio.ensure_future(one(n))) for n in order)
    await asyncio.wait_for(asyncio.gather(*tasks.values(), return_exceptions=True), 60)  # a bug would hang
    return finished


def test_pages_waiting_for_a_worker_are_extracted_in_priority_order() -> None:
    with ExtractionPool(1) as pool:
        finished = asyncio.run(extract_in_turn(pool, list(range(9, -1, -1))))
    # One worker and one page queued for it: the first two arrivals go straight in, the rest by priority.
    assert finished == [9, 8, 0, 1, 2, 3, 4, 5, 6, 7]


def test_a_cancelled_wait_for_a_worker_gives_up_its_turn() -> None:
    async def scenario(pool: ExtractionPool) -> tuple[list[int], list[int]]:
        # 5 and 4 take the turns; 0, 1 and 2 wait.  When 5 finishes its turn has just gone to 0: cancelling
        # 0 then must pass it on, and 1, cancelled while waiting, must be skipped.
        first = await extract_in_turn(pool, [5, 4, 0, 1, 2], cancel_after={5: [0, 1]})
        # No turn was lost: two pages again go straight in.
        return first, await extract_in_turn(pool, list(range(9, -1, -1)))

    with ExtractionPool(1) as pool:
        first, then = asyncio.run(scenario(pool))
    assert first == [5, 4, 2]
    assert then == [9, 8, 0, 1, 2, 3, 4, 5, 6, 7]
