from concurrent.futures import ProcessPoolExecutor

from .crawlers import Crawler, SafeCrawler


def crash_submit_bound_method():  # raises: TypeError "cannot pickle '_thread.lock' object"
    crawler = Crawler()
    with ProcessPoolExecutor(1) as executor:
        return executor.submit(crawler.run, 1).result()  # expect: PKL203@16 "sends `crawler.run` that holds threading.Lock in self.lock of webapp.crawlers.Crawler"


def clean_submit_static_method():
    with ProcessPoolExecutor(1) as executor:
        return executor.submit(Crawler.ping, 1).result()


def clean_submit_bound_method_of_a_safe_class():
    with ProcessPoolExecutor(1) as executor:
        return executor.submit(SafeCrawler().run, 1).result()
