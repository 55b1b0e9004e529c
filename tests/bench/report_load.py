#!/usr/bin/env python3
"""Load time of an HTML page in headless Chromium, for report_bench.sh.

    python3 tests/bench/report_load.py PAGE.html [RUNS] [TIMEOUT_S]

Opens PAGE.html from file:// RUNS times (default 3), each in a new tab with
the cache disabled, and measures navigation start to
`window.parkmap.ready === true` on the page's own clock (performance.now()).
Prints one line per run and then "median_ms N errors E requests R": console
errors and requests other than the page itself (tests/browser/cdp.py).
Exit 1 when a run fails to get ready within TIMEOUT_S (default 60).
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser"))
import cdp  # noqa: E402


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    page_path = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    url = "file://" + page_path
    times, errors, requests = [], set(), set()
    try:
        with cdp.Browser(timeout=timeout) as b:
            for i in range(runs):
                page = b.new_page(1280, 900)
                try:
                    ms = page.open(url, timeout=timeout)
                    page.drain(0.2)
                    errors.update(page.console_errors)
                    requests.update(page.foreign_requests())
                finally:
                    page.close()
                times.append(ms)
                print("run %d: %.0f ms" % (i + 1, ms), flush=True)
    except cdp.CDPError as e:
        print("FAIL: %s" % e)
        return 1
    for e in sorted(errors):
        print("console error: %s" % e[:300])
    for r in sorted(requests):
        print("request: %s" % r[:300])
    print("median_ms %.0f errors %d requests %d" % (statistics.median(times), len(errors),
                                                   len(requests)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
