import sys
from pathlib import Path

import pytest

_here = Path(__file__).resolve().parent
sys.path.insert(0, str(_here))  # pb_helpers.py
_root = _here.parents[1]
if str(_root) not in sys.path:
    sys.path.insert(0, str(_root))

from pb_helpers import DEV  # noqa: E402

from phrasebook import load_phrasebook  # noqa: E402


@pytest.fixture(scope="session")
def pb():
    return load_phrasebook()


@pytest.fixture(scope="session")
def dev_available():
    if not DEV.is_dir():
        pytest.fail(f"the dev set {DEV} is required by these tests")
    return True
