"""One error tree: every package's user-facing errors derive from one root, so no layer misses another's."""

from __future__ import annotations

import importlib
import pkgutil

import asr
import copilot
import phrasebook
from copilot.errors import CopilotError


def _error_classes():
    for pkg in (asr, phrasebook, copilot):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if not info.name.endswith("errors"):
                continue
            mod = importlib.import_module(info.name)
            for obj in vars(mod).values():
                if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == mod.__name__:
                    yield obj


def test_every_errors_module_class_is_under_the_one_root():
    found = list(_error_classes())
    names = {c.__qualname__ for c in found}
    assert {"AsrError", "AudioError", "ModelError", "PhrasebookError", "StoreError", "TextError"} <= names
    assert [c for c in found if not issubclass(c, CopilotError)] == []


def test_no_duplicate_error_names_across_packages():
    found = list(_error_classes())
    names = [c.__qualname__ for c in found]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_lower_package_errors_are_caught_as_copilot_errors():
    from asr.errors import AudioError
    from phrasebook.errors import PhrasebookError

    for exc in (AudioError("odd byte", where="stream"), PhrasebookError("a.toml", 3, "bad entry")):
        try:
            raise exc
        except CopilotError as caught:
            assert caught.where and caught.message
    assert str(PhrasebookError("a.toml", 3, "bad entry")) == "a.toml:3: bad entry"
