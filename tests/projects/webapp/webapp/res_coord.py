from concurrent.futures import ProcessPoolExecutor

from . import res_tasks


def run_shell(argv):
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(res_tasks.execute, res_tasks.ShellTask(argv)).result()  # expect: PKL203@16 "threading.Lock in self._lock of webapp.res_base.Resource"


def run_guarded(argv):
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(res_tasks.execute, res_tasks.GuardedTask(argv)).result()


def crash_run_shell():  # raises: TypeError "cannot pickle"
    run_shell(["true"])


def clean_run_guarded():
    assert run_guarded(["true"]) == ["true"]
