"""Crawlers whose bound methods webapp/crawl_pool.py hands to a process pool."""
import threading


class Crawler:  # expect: PKL301@1 "class Crawler holds threading.Lock in self.lock (line 7)"
    def __init__(self):
        self.lock = threading.Lock()

    def run(self, n):
        return n + 1

    @staticmethod
    def ping(n):
        return n


class SafeCrawler:
    def __init__(self):
        self.lock = threading.Lock()

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.lock = threading.Lock()

    def run(self, n):
        return n + 1
