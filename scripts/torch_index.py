"""Print pip's options for PyTorch's wheel index, or nothing if it cannot be reached.

`make install` passes PyTorch's CPU wheel index on Linux, where the default
index serves the CUDA build (several GB of nvidia packages). If that index is
unreachable (offline, a proxy, a mirror) the install goes on from the default
index, and this says so on stderr. Standard library only: it runs before the
virtual environment exists.

    python3 scripts/torch_index.py https://download.pytorch.org/whl/cpu
    python3 scripts/torch_index.py ""      # no index asked for: prints nothing
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 10


def reachable(index: str) -> str:
    """'' if `index` answers, else the reason it does not."""
    try:
        with urllib.request.urlopen(
            f"{index.rstrip('/')}/torch/", timeout=TIMEOUT_SECONDS
        ):
            return ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        return str(getattr(error, "reason", error))


def pip_options(index: str) -> str:
    if not index:
        return ""
    if not index.startswith(("https://", "http://", "file://")):
        raise SystemExit(
            f"TORCH_INDEX={index!r} is not a URL: give an http(s) or file:// index "
            "address, or TORCH_INDEX= for the default index"
        )
    problem = reachable(index)
    if problem:
        print(
            f"make install: PyTorch's wheel index {index} cannot be reached "
            f"({problem}); installing torch from the default index instead. On "
            "Linux that is the CUDA build, several GB; re-run `make install` when "
            "the index is reachable to get the CPU build.",
            file=sys.stderr,
        )
        return ""
    return f"--extra-index-url {index}"


if __name__ == "__main__":
    print(pip_options(sys.argv[1] if len(sys.argv) > 1 else ""))
