"""Closed-loop load through requests-futures' ProcessPoolExecutor, for the ProcessFutures bench.

Usage: python3 requests_futures_bench.py URL CONCURRENCY WORKERS WARMUP_S MEASURE_S EXPECTED_LENGTH

Set up as requests-futures' README shows for a process pool: FuturesSession(executor=
ProcessPoolExecutor(max_workers=WORKERS), session=Session()). CONCURRENCY requests are kept in
flight; a request counts when it completes inside the window after the warm-up. Prints one JSON
line on stdout.
"""
import json
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from requests import Session
from requests_futures.sessions import FuturesSession

REQUEST_TIMEOUT_S = 30


def main():
    url = sys.argv[1]
    concurrency, workers = int(sys.argv[2]), int(sys.argv[3])
    warm_up, measure = float(sys.argv[4]), float(sys.argv[5])
    expected_length = int(sys.argv[6])

    requests = errors = 0
    first_error = None
    latencies = []
    with ProcessPoolExecutor(max_workers=workers) as executor:
        session = FuturesSession(executor=executor, session=Session())
        start = time.monotonic()
        window_start, window_end = start + warm_up, start + warm_up + measure
        sent = {}
        for _ in range(concurrency):
            sent[session.get(url, timeout=REQUEST_TIMEOUT_S)] = time.monotonic()
        while sent:
            done, _ = wait(list(sent), timeout=REQUEST_TIMEOUT_S, return_when=FIRST_COMPLETED)
            if not done:
                raise TimeoutError(f"no request completed within {REQUEST_TIMEOUT_S} s")
            now = time.monotonic()
            for future in done:
                began = sent.pop(future)
                try:
                    response = future.result()
                    response.raise_for_status()
                    if len(response.content) != expected_length:
                        raise ValueError(f"the body has {len(response.content)} bytes; expected {expected_length}")
                    if window_start <= now < window_end:
                        requests += 1
                        latencies.append(now - began)
                except Exception as exception:  # counted and reported, as the bench does
                    errors += 1
                    first_error = first_error or f"{type(exception).__name__}: {exception}"
                if now < window_end:
                    sent[session.get(url, timeout=REQUEST_TIMEOUT_S)] = time.monotonic()

    latencies.sort()
    p50 = latencies[(len(latencies) - 1) // 2] * 1e6 if latencies else None  # JSON has no NaN
    print(json.dumps({
        "requests": requests,
        "errors": errors,
        "first_error": first_error,
        "seconds": measure,
        "requests_per_second": requests / measure,
        "p50_microseconds": p50,
    }))


if __name__ == "__main__":
    main()
