"""The project's modules as stored: read and hashed once, summarised on first need, cached on disk.

Each ``.py`` file's summary (:func:`flake8_pickle.project.summary.summarise`) is looked up in the
cache under a key made of the schema, the plugin's version and code, the settings that change summaries,
the module's name and the file's content. A miss parses and summarises the file and writes the
entry: to a temporary file in the same directory, then ``os.replace``, so a reader sees a whole
entry or none, and two processes writing the same entry write the same bytes. An entry that does
not parse, or holds another schema, is a miss. A cache directory that cannot be written is
read-only for the run: summaries are kept in memory. Nothing waits on a lock.

:class:`Summaries` also answers the text questions that say which modules a question needs
(which modules spell a word, which can reach a loader or a copy).
"""

from __future__ import annotations

import ast
import gc
import hashlib
import json
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from .. import __version__
from ..fix.source import write_atomically
from ..catalog.taint import SANITIZERS
from ..precheck import WORD_RUN, Possible, may_bind_other, possible, spells_word, verifiers_possible
from ..settings import Settings
from .summary import FULL, HEAD, LIGHT, SCHEMA, summarise

#: ``from pickle import *`` binds a module's loaders without spelling their names.
_STAR_IMPORT = re.compile(rb"\bimport\s+\*")

Json = Any
CACHE_DIR_NAME = ".flake8_pickle_cache"
# Entries are written as mkstemp's private files, then given the mode a plain open() would give
# them, so a cache shared between users or CI jobs stays readable.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK
#: How many modules to summarise at once before the work is shared among ``--jobs`` processes.
_PARALLEL_AT = 64


def settings_digest(settings: Settings) -> str:
    """What of the settings changes a summary (the inventory codes do not)."""
    relevant = (
        settings.untrusted_sources,
        settings.trusted_sources,
        settings.sanitizers,
        settings.extra_loaders,
        settings.extra_resources,
    )
    return hashlib.blake2b(repr(relevant).encode(), digest_size=8).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of the plugin's own source files: entries written by other code (an editable
    install after ``git pull``, a development checkout) are never read, even under one version
    number. Read once per process (about 1 MB)."""
    hasher = hashlib.blake2b(digest_size=6)
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        try:
            hasher.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        except OSError:
            hasher.update(path.name.encode())
    return hasher.hexdigest()


class Cache:
    """Summaries on disk, one file per (content, module, settings) key."""

    def __init__(self, directory: Optional[Path]):
        self.directory = directory
        self.writable = directory is not None
        self.entries = directory / f"s{SCHEMA}-{__version__}-{code_digest()}" if directory is not None else None

    def key(self, module: str, path: str, digest: str, content: bytes) -> str:
        hasher = hashlib.blake2b(digest_size=20)
        hasher.update(f"{SCHEMA}\0{__version__}\0{digest}\0{module}\0{path}\0".encode())
        hasher.update(content)
        return hasher.hexdigest()

    def _file(self, key: str) -> Optional[Path]:
        return self.entries / key[:2] / f"{key}.json" if self.entries is not None else None

    def read(self, key: str) -> Optional[Json]:
        """The entry written under ``key``; None when missing, unreadable, or written under another
        key (an entry copied over another: a summary of some other module or content)."""
        data = self._read(self._file(key))
        if data is None or data.pop("key", None) != key:
            return None
        return data

    def has(self, key: str) -> bool:
        """Whether an entry for ``key`` is on disk (it may still turn out unreadable)."""
        target = self._file(key)
        try:
            return target is not None and target.is_file()
        except OSError:
            return False  # a cache directory this user may not look into: as good as empty

    @staticmethod
    def _read(target: Optional[Path]) -> Optional[Dict[str, Json]]:
        """The JSON object in ``target``; None when it is missing, half-written by a crashed older
        version, corrupt, or of another schema (a miss)."""
        if target is None:
            return None
        try:
            with open(target, "rb") as handle:
                data = json.loads(handle.read())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return None
        return data

    def write(self, key: str, data: Json) -> None:
        """Keep ``data`` under ``key`` (the entry says which key: see :meth:`read`)."""
        self._write(self._file(key), {**data, "key": key})

    def _write(self, target: Optional[Path], data: Json) -> None:
        if target is None or not self.writable:
            return
        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(str(target), json.dumps(data, separators=(",", ":")).encode(), _FILE_MODE, durable=False)
        except OSError:
            self.writable = False  # read-only or full: keep summaries in memory for this run

    def _text_facts_file(self, digest: str) -> Optional[Path]:
        return self.entries / f"text-{digest}.json" if self.entries is not None else None

    def read_text_facts(self, digest: str) -> Dict[str, Json]:
        """What the text pre-check said of each file content last time (content hash -> facts),
        for the settings ``digest``; empty when missing, corrupt or of another schema."""
        data = self._read(self._text_facts_file(digest))
        files = data.get("files") if data is not None else None
        return files if isinstance(files, dict) else {}

    def write_text_facts(self, digest: str, files: Dict[str, Json]) -> None:
        """Replace the text facts with those of the files of this run (whole, atomically: a reader
        sees the old table or the new one, and a table written by another run is as good)."""
        self._write(self._text_facts_file(digest), {"schema": SCHEMA, "files": files})

    def _answers_file(self, digest: str) -> Optional[Path]:
        return self.entries / f"answers-{digest}.json" if self.entries is not None else None

    def read_answers(self, digest: str, project: str) -> Dict[str, Json]:
        """The project-wide answers an earlier run wrote for exactly these files (``project``: the
        fingerprint of every module's name, path and content); empty for any other tree, and when
        missing, corrupt or of another schema."""
        data = self._read(self._answers_file(digest))
        if data is None or data.get("project") != project or not isinstance(data.get("answers"), dict):
            return {}
        return data["answers"]  # type: ignore[no-any-return]

    def write_answers(self, digest: str, project: str, answers: Dict[str, Json]) -> None:
        """Replace the project-wide answers (whole, atomically), only in a cache that still exists:
        written when the process ends, it must not bring back a directory removed meanwhile."""
        target = self._answers_file(digest)
        try:
            present = target is not None and target.parent.is_dir()
        except OSError:
            present = False
        if present:
            self._write(target, {"schema": SCHEMA, "project": project, "answers": answers})

    def _prepare(self) -> None:
        assert self.directory is not None
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            text = "# Created by flake8-pickle: its project index. Safe to delete.\n*\n"
            write_atomically(str(ignore), text.encode(), _FILE_MODE, durable=False)


@dataclass(frozen=True)
class FileJob:
    """One file to summarise."""

    path: str
    relative: str
    module: str
    is_package: bool


def summarise_source(content: bytes, job: FileJob, settings: Settings, kind: str = FULL) -> Json:
    """The summary of a file's content; a file that does not parse summarises to nothing.

    The cyclic garbage collector is paused meanwhile, as for linting (see
    :func:`flake8_pickle.analysis.run_analysis`): the parse and the walk allocate many small
    objects, and each collection they would trigger rescans everything alive, the summaries
    already built included (cold, over Django, a quarter of the index's time).
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _summarise_source(content, job, settings, kind)
    finally:
        if paused:
            gc.enable()


def _summarise_source(content: bytes, job: FileJob, settings: Settings, kind: str) -> Json:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(content, filename=job.path)
        return summarise(tree, job.module, job.relative, job.is_package, settings, kind, content)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {"schema": SCHEMA, "module": job.module, "path": job.relative, "aliases": {}, "functions": {},
                "classes": {}, "calls": [], "unparsed": True}


def _summarise_chunk(arguments: Tuple[List[Tuple[FileJob, bytes]], Optional[str], str, Settings, str]) -> List[Json]:
    files, directory, digest, settings, kind = arguments
    cache = Cache(Path(directory) if directory else None)
    return [_summary_of(job, content, cache, digest, settings, kind) for job, content in files]


#: How many module texts the word questions may scan, in whole projects' worth, before the modules'
#: words are indexed once (the answers are the same). Indexing costs about forty whole scans (Ray's
#: 28 MB: 17 ms a scan, 0.7 s to index). Django's questions scan about 29 projects' worth; Ray's,
#: 400 words and 48,000 single modules, about 420.
_SCANS_BEFORE_INDEX = 32


def _word_index(files: Dict[str, Tuple[FileJob, bytes]]) -> Dict[bytes, List[str]]:
    """Every identifier of every module's text (code, comments and strings) -> the modules that spell
    it, in the order of ``files``: the same answers as :func:`spells_word`, one pass per module."""
    index: Dict[bytes, List[str]] = {}
    for module, (_, content) in files.items():
        for word in set(WORD_RUN.findall(content)):
            found = index.get(word)
            if found is None:
                index[word] = [module]
            else:
                found.append(module)
    return index


class Summaries(Mapping):
    """The project's modules by name, each summarised on first access (from the cache where the
    content is unchanged), with the text questions that say which modules a question needs."""

    def __init__(self, files: Dict[str, Tuple[FileJob, bytes]], cache: Cache, digest: str, settings: Settings):
        self._files = files
        self._cache = cache
        self._digest = digest
        self._settings = settings
        #: The summaries read or computed so far, by kind and module.
        self._stores: Dict[str, Dict[str, Json]] = {FULL: {}, HEAD: {}, LIGHT: {}}
        self._mentioning: Dict[str, List[str]] = {}
        #: Identifier -> the modules that spell it, once enough words were asked (see :meth:`mentioning`).
        self._word_index: Optional[Dict[bytes, List[str]]] = None
        #: The same, as sets, for the words :meth:`spells` was asked once the index was built.
        self._spelled_by: Dict[bytes, FrozenSet[str]] = {}
        #: Module texts the word questions scanned so far.
        self._scanned = 0
        self._loader_modules: Optional[List[str]] = None
        self._copy_modules: Optional[List[str]] = None
        self._copy_set: Optional[FrozenSet[str]] = None
        #: Content hash -> what the text pre-check says of that content (see :meth:`text_facts`).
        self._text_facts: Dict[str, Json] = cache.read_text_facts(digest)
        self._text_facts_changed = False
        self._content_keys: Dict[str, str] = {}
        #: What an earlier run over exactly these files answered (see :meth:`read_answers`), and
        #: how many words :meth:`mentioning` had answered when they were read.
        self.answers: Dict[str, Json] = {}
        self._answered = 0

    def _summary(self, kind: str, module: str) -> Json:
        store = self._stores[kind]
        summary = store.get(module)
        if summary is None:
            job, content = self._files[module]  # KeyError: not a module of the project
            summary = store[module] = _summary_of(job, content, self._cache, self._digest, self._settings, kind)
        return summary

    def __getitem__(self, module: str) -> Json:
        return self._summary(FULL, module)

    def head(self, module: str) -> Json:
        """What the module's own statements say (aliases, class bases, function signatures): the
        whole or light summary when one is loaded, else the cheaper head summary."""
        return self._stores[FULL].get(module) or self._stores[LIGHT].get(module) or self._summary(HEAD, module)

    def light(self, module: str) -> Json:
        """What the module copies and what its classes hold (everything but returns and calls):
        always the light summary, even when the whole one is loaded, so that an answer never depends
        on which modules an earlier question happened to load."""
        return self._summary(LIGHT, module)

    def is_package(self, module: str) -> bool:
        """Whether ``module`` is a package's ``__init__``."""
        return self._files[module][0].is_package

    def __contains__(self, module: object) -> bool:
        return module in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def load(self, modules: Iterable[str], jobs: int = 1, kind: str = FULL) -> None:
        """Summarise ``modules`` now (whole, or only their heads or light summaries), with ``jobs``
        processes when there are many."""
        store = self._stores[kind]
        todo = [m for m in dict.fromkeys(modules) if m not in store and (kind != HEAD or m not in self._stores[FULL])]
        if jobs > 1 and len(todo) >= _PARALLEL_AT:
            files = [self._files[m] for m in todo]
            summaries = _parallel(files, self._cache, self._digest, self._settings, jobs, kind)
            for module, summary in zip(todo, summaries):
                store[module] = summary
        for module in todo:
            _ = self.head(module) if kind == HEAD else self._summary(kind, module)

    def mentioning(self, word: str) -> List[str]:
        """The modules whose text holds the identifier ``word`` (in code, a comment or a string:
        more, never fewer)."""
        found = self._mentioning.get(word)
        if found is None:
            needle = word.encode()
            if WORD_RUN.fullmatch(needle) and self._indexed():
                found = list(self._word_index.get(needle, ()))  # type: ignore[union-attr]
            else:
                self._scanned += len(self._files)
                found = [m for m, (_, content) in self._files.items() if spells_word(content, needle)]
            self._mentioning[word] = found
        return found

    def spells(self, module: str, word: str) -> bool:
        """Whether the text of ``module`` holds the identifier ``word`` (in code, a comment or a
        string: a yes may be wrong, a no never is)."""
        needle = word.encode()
        content = self._files[module][1]
        if WORD_RUN.fullmatch(needle) and self._indexed():
            spelled = self._spelled_by.get(needle)
            if spelled is None:
                spelled = self._spelled_by[needle] = frozenset(self._word_index.get(needle, ()))  # type: ignore[union-attr]
            return module in spelled
        self._scanned += 1
        return spells_word(content, needle)

    def head_at_hand(self, module: str) -> bool:
        """Whether a summary of ``module`` is read already, or its head is in the cache (then reading
        it costs less than asking the text, as in a warm run)."""
        if any(module in store for store in self._stores.values()):
            return True
        job, content = self._files[module]
        return self._cache.has(_summary_key(job, content, self._cache, self._digest, HEAD))

    def may_bind(self, module: str, word: str) -> bool:
        """Whether ``module`` may bind the plain identifier ``word`` to another name (an alias): see
        :func:`~flake8_pickle.precheck.may_bind_other`; a no needs no parse of the module."""
        return may_bind_other(self._files[module][1], word)

    def _indexed(self) -> bool:
        """Whether the word index is built, building it once the scans have cost enough."""
        if self._word_index is None and self._scanned >= _SCANS_BEFORE_INDEX * len(self._files):
            self._word_index = _word_index(self._files)
        return self._word_index is not None

    def loader_candidates(self) -> List[str]:
        """Modules whose text names a catalogued loader's module and a loader of it (or star-imports):
        only they can bind a name to a loader in one step. A longer chain (``from .codec import
        decode`` where ``codec`` binds ``decode = pickle.loads``) runs through modules that spell
        the words of the step before (:meth:`ProjectIndex.loader_words` follows them)."""
        if self._loader_modules is None:
            self._loader_modules = [m for m in self._files if self.text_facts(m)["binds_loader"]]
        return self._loader_modules

    def copy_candidates(self) -> List[str]:
        """Modules whose text can copy, pickle or hand off an object (the linting pre-check's
        answer): only they record what they do to other modules' objects."""
        if self._copy_modules is None:
            self._copy_modules = [m for m in self._files if self.text_facts(m)["possible"][1]]
        return self._copy_modules

    def copy_candidates_set(self) -> FrozenSet[str]:
        """:meth:`copy_candidates` as a set."""
        if self._copy_set is None:
            self._copy_set = frozenset(self.copy_candidates())
        return self._copy_set

    def text_facts(self, module: str) -> Json:
        """What the text pre-check says of ``module``: which rule families its text leaves possible
        (``possible``: loaders, copies, copyreg, as :func:`flake8_pickle.precheck.possible`
        answers for the file's content read as UTF-8) and which catalogued loader modules it names.
        Kept on disk by content hash (with the settings' digest in the file's name), so that a warm
        run reads them instead of scanning every file of the project again, and linting a file
        whose text is the one on disk reads its answer here."""
        key = self._content_key(module)
        facts = self._text_facts.get(key)
        if not _valid_text_facts(facts):
            from ..analysis import catalog_for  # the catalogue with the user's extra loaders

            catalog = catalog_for(self._settings)
            roots = sorted({name.split(".")[0] for name in catalog.by_name})
            content = self._files[module][1]
            can = possible(content.decode("utf-8", "replace"), catalog)
            named = [root for root in roots if spells_word(content, root.encode())]
            facts = self._text_facts[key] = {
                "possible": [can.loaders, can.copies, can.copyreg],
                "verifies": verifiers_possible(content, (*SANITIZERS, *self._settings.sanitizers)),
                "loader_roots": named,
                "binds_loader": bool(named) and (
                    _STAR_IMPORT.search(content) is not None
                    or any(spells_word(content, word.encode()) for root in named for word in catalog.binding_words(root))
                ),
            }
            self._text_facts_changed = True
        return facts

    def possible_for(self, module: str, source: str) -> Optional[Possible]:
        """The text pre-check's answer for ``module`` when ``source`` is its text on disk (read as
        UTF-8); None for another text (an unsaved buffer, another encoding), which is checked anew."""
        job_content = self._files.get(module)
        if job_content is None or job_content[1] != source.encode("utf-8", "surrogatepass"):
            return None
        loaders, copies, copyreg = self.text_facts(module)["possible"]
        return Possible(loaders=loaders, copies=copies, copyreg=copyreg)

    def _content_key(self, module: str) -> str:
        key = self._content_keys.get(module)
        if key is None:
            key = self._content_keys[module] = hashlib.blake2b(self._files[module][1], digest_size=16).hexdigest()
        return key

    def fingerprint(self) -> str:
        """A hash of every module's name, path and content: equal only for the same tree."""
        hasher = hashlib.blake2b(digest_size=16)
        for module, (job, _) in self._files.items():
            hasher.update(f"{module}\0{job.relative}\0{self._content_key(module)}\0".encode())
        return hasher.hexdigest()

    def read_answers(self) -> None:
        """Take over the project-wide answers of an earlier run over the same tree: which modules
        spell each word asked (:meth:`mentioning`) and the others the index keeps there. A warm run
        over an unchanged tree then scans no text to answer them, and builds no word index."""
        answers = self._cache.read_answers(self._digest, self.fingerprint())
        mentioning = answers.get("mentioning")
        if not isinstance(mentioning, dict) or not all(
            isinstance(modules, list) and all(isinstance(m, str) and m in self._files for m in modules)
            for modules in mentioning.values()
        ):
            return  # written by other code, or damaged: answer everything anew
        self.answers = answers
        self._mentioning.update(mentioning)  # type: ignore[arg-type]
        self._answered = len(self._mentioning)

    def save_answers(self, more: Dict[str, Json]) -> None:
        """Write the project-wide answers of this run (with ``more`` from the index) when this run
        answered anything an earlier one had not."""
        if len(self._mentioning) == self._answered and all(self.answers.get(k) == v for k, v in more.items()):
            return
        answers = {**self.answers, **more, "mentioning": self._mentioning}
        self._cache.write_answers(self._digest, self.fingerprint(), answers)
        self.answers, self._answered = answers, len(self._mentioning)

    def save_text_facts(self) -> None:
        """Write the text facts of this run's files when any was computed (see :meth:`text_facts`)."""
        if not self._text_facts_changed:
            return
        keep = {self._content_key(module) for module in self._files}
        self._cache.write_text_facts(self._digest, {key: facts for key, facts in self._text_facts.items() if key in keep})
        self._text_facts_changed = False


def _valid_text_facts(facts: object) -> bool:
    """A text-facts entry this code wrote (an entry of any other shape is computed again)."""
    if not isinstance(facts, dict) or not isinstance(facts.get("loader_roots"), list):
        return False
    if not isinstance(facts.get("binds_loader"), bool) or not isinstance(facts.get("verifies"), bool):
        return False  # written by an earlier version
    can = facts.get("possible")
    return isinstance(can, list) and len(can) == 3 and all(isinstance(flag, bool) for flag in can)


def _summary_key(job: FileJob, content: bytes, cache: Cache, digest: str, kind: str) -> str:
    """The cache key of the ``kind`` summary of ``job``'s ``content`` under the settings' ``digest``."""
    return cache.key(job.module, job.relative, digest + ("" if kind == FULL else f"-{kind}"), content)


def _summary_of(job: FileJob, content: bytes, cache: Cache, digest: str, settings: Settings, kind: str = FULL) -> Json:
    key = _summary_key(job, content, cache, digest, kind)
    cached = cache.read(key)
    if cached is not None:
        return cached
    data = summarise_source(content, job, settings, kind)
    cache.write(key, data)
    return data


def _parallel(
    todo: List[Tuple[FileJob, bytes]], cache: Cache, digest: str, settings: Settings, jobs: int, kind: str = FULL
) -> List[Json]:
    """Summaries computed by ``jobs`` processes; empty when processes cannot be started here."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return []
    if multiprocessing.current_process().daemon:
        return []  # a flake8 worker: it may not start processes of its own
    size = max(1, len(todo) // (jobs * 4))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    directory = str(cache.directory) if cache.directory is not None and cache.writable else None
    try:
        with context.Pool(jobs) as pool:
            results = pool.map(_summarise_chunk, [(chunk, directory, digest, settings, kind) for chunk in chunks])
    except (OSError, RuntimeError):
        return []
    return [summary for chunk in results for summary in chunk]
