"""Crawl throughput at a configured per-host rate: the pipeline's own client, or scrapy, on the same URLs.

Each crawler runs in its own process (benchmarks/run.py starts it) and prints one JSON line. Throughput is
responses received / seconds from the first request to the last response, as a share of the configured rate.

    python -m benchmarks.crawl ours --base-url http://127.0.0.1:PORT/api/v1 --rate 50 --count 1000
    python -m benchmarks.crawl scrapy --base-url http://127.0.0.1:PORT/api/v1 --rate 50 --count 1000
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

HV_PATH = "/candidato/hoja-vida"
USER_AGENT = "peru-transparencia-benchmark/0.1 (loopback only)"


def urls(base_url: str, first_id: int, count: int) -> list[str]:
    return [f"{base_url.rstrip('/')}{HV_PATH}?IdHojaVida={first_id + i}" for i in range(count)]


def crawl_ours(base_url: str, first_id: int, count: int, rate: float, workers: int) -> dict:
    """pipeline.http.client.HttpClient.fetch_many, exactly as the raw assets call it (archive included)."""
    from pipeline.http.archive import Archive
    from pipeline.http.client import HttpClient, HttpSettings
    from pipeline.http.request import Request

    requests = [
        Request("GET", base_url.rstrip("/") + HV_PATH, params={"IdHojaVida": first_id + i})
        for i in range(count)
    ]
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        settings = HttpSettings(
            user_agent=USER_AGENT, requests_per_second=rate, max_workers=workers, max_retries=0
        )
        client = HttpClient(settings, Archive(Path(tmp)))
        started = time.perf_counter()
        fetched = client.fetch_many(requests)
        elapsed = time.perf_counter() - started
        client.close()
    latencies = [f.elapsed_ms for f in fetched if f.ok]
    used = client.workers_for(fetched[0].elapsed_ms / 1000) if fetched else workers  # as fetch_many sized it
    return _result("ours", count, sum(f.ok for f in fetched), elapsed, rate, used, latencies)


def crawl_scrapy(base_url: str, first_id: int, count: int, rate: float, concurrency: int) -> dict:
    """scrapy with DOWNLOAD_DELAY = 1/rate and enough concurrency per domain to overlap the latency."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    targets = urls(base_url, first_id, count)
    seen: dict = {"ok": 0, "failed": 0, "started": None, "last": None, "latencies": []}

    class HojaVidaSpider(scrapy.Spider):
        name = "hojas_vida"

        async def start(self):  # type: ignore[no-untyped-def]
            seen["started"] = time.perf_counter()
            for url in targets:
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

        def parse(self, response):  # type: ignore[no-untyped-def]
            seen["ok"] += response.status == 200
            seen["last"] = time.perf_counter()
            seen["latencies"].append(1000 * response.meta.get("download_latency", 0.0))

        def failed(self, failure):  # type: ignore[no-untyped-def]
            seen["failed"] += 1
            seen["last"] = time.perf_counter()

    process = CrawlerProcess(
        settings={
            "DOWNLOAD_DELAY": 1.0 / rate,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "COOKIES_ENABLED": False,  # also keeps tldextract (public suffix list download) out of the run
            "TELNETCONSOLE_ENABLED": False,
            "RETRY_ENABLED": False,
            "HTTPCACHE_ENABLED": False,
            "DOWNLOAD_TIMEOUT": 30,
            "USER_AGENT": USER_AGENT,
            "LOG_LEVEL": "ERROR",
        }
    )
    process.crawl(HojaVidaSpider)
    process.start()
    elapsed = (seen["last"] or time.perf_counter()) - (seen["started"] or time.perf_counter())
    return _result("scrapy", count, seen["ok"], elapsed, rate, concurrency, seen["latencies"])


def _result(
    crawler: str, count: int, ok: int, elapsed: float, rate: float, workers: int, latencies: list[float]
) -> dict:
    throughput = ok / elapsed if elapsed > 0 else 0.0
    mean_ms = statistics.fmean(latencies) if latencies else 0.0
    return {
        "crawler": crawler,
        "requests": count,
        "ok": ok,
        "elapsed_s": round(elapsed, 3),
        "rate": rate,
        "workers": workers,
        "throughput_rps": round(throughput, 2),
        "pct_of_rate": round(100 * throughput / rate, 1),
        "mean_latency_ms": round(mean_ms, 1),
        # Little's law: to keep `rate` requests a second in flight for `latency` seconds each.
        "workers_needed": math.ceil(rate * mean_ms / 1000) if mean_ms else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("crawler", choices=["ours", "scrapy"])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--first-id", type=int, default=7_000_001)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests per second for the host")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="ours: max_workers (0: sized from rate x latency); scrapy: concurrency",
    )
    args = parser.parse_args(argv)
    if args.crawler == "ours":
        result = crawl_ours(args.base_url, args.first_id, args.count, args.rate, args.workers)
    else:
        result = crawl_scrapy(args.base_url, args.first_id, args.count, args.rate, args.workers)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
