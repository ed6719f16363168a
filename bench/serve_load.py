"""A bounded load test of a running `dslr serve`: N requests, C at a time, each a small photo
posted to /v1/enhance; prints one JSON line with throughput, latency percentiles, statuses and
the server's peak resident memory (VmHWM of PID).

Usage: python serve_load.py URL PHOTO PID [--requests 200] [--concurrency 8]
Standard library only.
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("photo")
    parser.add_argument("pid", type=int)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    target = urllib.parse.urlsplit(args.url)
    body = open(args.photo, "rb").read()
    latencies, statuses, errors = [], {}, []
    lock = threading.Lock()
    next_index = [0]

    def worker():
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
        while True:
            with lock:
                if next_index[0] >= args.requests:
                    break
                next_index[0] += 1
            started = time.perf_counter()
            try:
                connection.request("POST", "/v1/enhance", body=body, headers={"Content-Type": "image/jpeg"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except Exception as error:  # counted, and the connection renewed
                status = "error"
                errors.append(str(error))
                connection.close()
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
            elapsed = time.perf_counter() - started
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    latencies.append(elapsed)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
    peak_kb = 0
    for line in open(f"/proc/{args.pid}/status"):
        if line.startswith("VmHWM:"):
            peak_kb = int(line.split()[1])
    print(json.dumps({
        "requests": args.requests, "concurrency": args.concurrency, "seconds": round(wall, 2),
        "throughput_per_s": round(len(latencies) / wall, 2), "p50_s": round(pick(0.5), 3), "p99_s": round(pick(0.99), 3),
        "statuses": {str(k): v for k, v in statuses.items()}, "peak_rss_mb": round(peak_kb / 1024, 1),
        "errors": errors[:3],
    }))


if __name__ == "__main__":
    main()
