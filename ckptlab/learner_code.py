"""Which line of a traceback or call stack is the learner's: the ONE rule, and its text.

A frame is library code when its file is in ckptlab, Python's standard library, or an
installed package (site-packages: TensorFlow, Keras, IPython...), is frozen/builtin, or
is AutoGraph's generated rewrite of a tf.function.
The learner's line is the innermost frame in the learner's own files when those are
known, else the innermost frame that is not library code. It reads "file.py, line 12",
or "cell [5], line 3" for a notebook cell (ckptlab.source_location words it).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import traceback
import types
import zlib
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from ckptlab import source_location

__all__ = ["ORIGINS_KEY", "calling_location", "code_origins", "error_frame", "error_location",
           "is_library", "learner_frame", "location", "restore_origins"]

_CKPTLAB_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_PATHS = sysconfig.get_paths()
LIBRARY_DIRS = tuple(dict.fromkeys(
    os.path.join(os.path.abspath(_PATHS[key]), "") for key in ("stdlib", "platstdlib",
                                                               "purelib", "platlib")))


# the key under which a cloudpickled dict of functions carries their code's real file names
ORIGINS_KEY = "__code_origins__"
_SENT_BY_VALUE = "<dynamic-code>"  # cloudpickle's co_filename for code it sends by value
# TensorFlow writes the code AutoGraph generates from a tf.function to temporary files
# named __autograph_generated_file<random>.py: neither the learner's file nor stable
_AUTOGRAPH_PREFIX = "__autograph_generated_file"


def is_library(path: str) -> bool:
    """True for ckptlab, the standard library, installed packages and frozen modules."""
    if path.startswith("<"):  # <frozen importlib._bootstrap>, <string>, <stdin>
        # <dynamic-code>: cloudpickle's name for code sent by value, which is the
        # learner's (a notebook's functions checked in the sandboxed worker)
        return not path.startswith(("<ipython-input", "<stdin>", "<string>",
                                    "<dynamic-code>"))
    if os.path.basename(path).startswith(_AUTOGRAPH_PREFIX):
        return True  # AutoGraph's rewrite of a tf.function, in a temporary file
    full = os.path.abspath(path)
    return (full.startswith((_CKPTLAB_DIR, *LIBRARY_DIRS)) or "site-packages" in full
            or "dist-packages" in full)


def learner_frame(frames: Iterable[traceback.FrameSummary],
                  learner_files: Collection[str] = ()) -> traceback.FrameSummary | None:
    """The innermost frame in `learner_files` if any is, else the innermost non-library one."""
    frames = list(frames)
    mine = [f for f in frames if f.filename in learner_files]
    if not mine:
        mine = [f for f in frames if not is_library(f.filename)]
    return mine[-1] if mine else None


def location(frame: traceback.FrameSummary | None) -> str:
    """'file.py, line 12' ('' when there is no learner frame)."""
    if frame is None:
        return ""
    return source_location.location(frame.filename, frame.lineno or 0)


def error_frame(error: BaseException, learner_files: Collection[str] = ()
                ) -> traceback.FrameSummary | None:
    """The learner's frame of `error`'s traceback (with its source line), or None."""
    return learner_frame(traceback.extract_tb(error.__traceback__), learner_files)


def error_location(error: BaseException, learner_files: Collection[str] = ()) -> str:
    """Where in the learner's code `error` was raised ('' if nowhere)."""
    return location(error_frame(error, learner_files))


def calling_location(skip: int = 1) -> str:
    """Where in the learner's code the current call started ('' if nowhere)."""
    return location(learner_frame(traceback.extract_stack(sys._getframe(skip))))


# --- code sent to another process: its real file names --------------------------------------
# cloudpickle names every code object it sends by value '<dynamic-code>', so a traceback in
# the checker's worker cannot say which notebook cell a line is in. The kernel sends each
# code object's file name with the pickle (code_origins); the worker puts it back after
# loading (restore_origins), then source_location words it as 'cell [5], line 3'.

CodeKey = tuple[str, int, int]


def _key(code: types.CodeType) -> CodeKey:
    return (getattr(code, "co_qualname", code.co_name), code.co_firstlineno,
            zlib.crc32(code.co_code))


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _functions_reached(objects: Iterable[Any]) -> Iterator[types.FunctionType]:
    """The learner's functions among `objects` and every function or class they reach
    through their globals, closures and class bodies (library code is not walked)."""
    todo, seen = list(objects), set()
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (staticmethod, classmethod)):
            todo.append(item.__func__)
        elif isinstance(item, property):
            todo.extend(f for f in (item.fget, item.fset, item.fdel) if f is not None)
        elif isinstance(item, type) and _learner_class(item):
            todo.extend(vars(item).values())
        elif isinstance(item, types.FunctionType) and (
                not is_library(item.__code__.co_filename)):
            yield item
            names = {name for code in _codes(item.__code__) for name in code.co_names}
            todo.extend(item.__globals__[name] for name in names if name in item.__globals__)
            todo.extend(cell.cell_contents for cell in item.__closure__ or ()
                        if _filled(cell))


def _learner_class(cls: type) -> bool:
    """A class of the learner's: one with a method whose code is in the learner's files."""
    return cls.__module__ != "builtins" and any(
        isinstance(v, types.FunctionType) and not is_library(v.__code__.co_filename)
        for v in vars(cls).values())


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018 (an empty cell raises)
    except ValueError:
        return False
    return True


def code_origins(objects: Iterable[Any]) -> dict[CodeKey, str]:
    """{code key: its file name} for every code object of the learner's functions."""
    return {_key(code): code.co_filename for function in _functions_reached(objects)
            for code in _codes(function.__code__)}


def _renamed(code: types.CodeType, origins: dict[CodeKey, str], parent: str) -> types.CodeType:
    filename = origins.get(_key(code), parent)
    consts = tuple(_renamed(c, origins, filename) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def restore_origins(objects: Iterable[Any], origins: dict[CodeKey, str]) -> int:
    """Give every function loaded from a pickle its code's real file name back; returns how
    many functions were renamed."""
    renamed = 0
    for function in list(_functions_reached(objects)):
        code = function.__code__
        if code.co_filename == _SENT_BY_VALUE and _key(code) in origins:
            function.__code__ = _renamed(code, origins, _SENT_BY_VALUE)
            renamed += 1
    return renamed
