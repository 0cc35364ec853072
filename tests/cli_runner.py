"""Run the ``flake8-pickle`` command line in this process, as a subprocess would see it.

``main`` gets the arguments, the working directory and stdin of a real run; what it writes to
stdout and stderr is captured as bytes, and its exit code (returned, or raised through
``SystemExit`` by argparse) becomes ``returncode``. The console script itself is still run as
a subprocess by a few tests, so the entry points are covered too.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Union

from flake8 import utils as flake8_utils

from flake8_pickle.fix.cli import main


def _stream(data: bytes = b"") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", write_through=True)


def run_cli(
    args: List[str], cwd: Path, stdin: Optional[Union[bytes, str]] = None, text: bool = False
) -> subprocess.CompletedProcess:
    """``flake8-pickle ARGS`` in ``cwd``: stdout and stderr as bytes (as str with ``text``)."""
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    saved = (sys.stdin, sys.stdout, sys.stderr, os.getcwd())
    out, err = _stream(), _stream()
    sys.stdin, sys.stdout, sys.stderr = _stream(stdin or b""), out, err
    flake8_utils.stdin_get_value.cache_clear()
    os.chdir(cwd)
    try:
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        out.flush()
        err.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved[:3]
        os.chdir(saved[3])
        flake8_utils.stdin_get_value.cache_clear()
    stdout, stderr = out.buffer.getvalue(), err.buffer.getvalue()  # type: ignore[attr-defined]
    if text:
        return subprocess.CompletedProcess(args, code, stdout.decode("utf-8"), stderr.decode("utf-8"))
    return subprocess.CompletedProcess(args, code, stdout, stderr)
