"""``python -m asr.bench``: the ASR benchmark under the name issue 19 gives it.

The benchmark itself is ``benchmarks/asr.py`` (``python -m benchmarks.asr``): it scores the agents' finals after their
set lines are written as said (:mod:`copilot.session.heard`), and the import layers forbid :mod:`asr` from importing
:mod:`copilot` or the developer benchmarks (pyproject.toml, ``[tool.importlinter]``). So this entry point imports
neither: it runs that module from the repository checkout in a new interpreter, in the caller's folder (relative
paths in the arguments mean what they say), with the same arguments, and exits with its status. Outside a checkout
(an installed wheel has no ``benchmarks/``) it says where the benchmark is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not (REPO / "benchmarks" / "asr.py").is_file():
        print(f"asr.bench: the ASR benchmark is benchmarks/asr.py of the repository checkout; "
              f"not found beside {REPO / 'asr'}. Run `python -m benchmarks.asr` from a checkout.", file=sys.stderr)
        return 2
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return subprocess.call([sys.executable, "-m", "benchmarks.asr", *args], env=env)


if __name__ == "__main__":
    raise SystemExit(main())
