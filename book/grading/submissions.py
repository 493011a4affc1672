"""The teacher's input: which files to grade, whose they are, and what they hold.

Submissions come as files or folders of `*.ipynb`; a roster (CSV with the
columns `student_id,submission`) maps file names to student ids; each
submission gets a report name that is safe, unique and short whatever its file
name (any encoding, any length); a notebook of another exercise is recognised
from the names it defines and the `check()` it calls.
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from book.grading.untrusted import Refused, read_bytes

# Longer notebooks are not read here (the grader judges them): recognising the
# exercise needs only the code, and a huge file must not fill memory.
MAX_IDENTIFY_BYTES = 5_000_000
STEM_LENGTH = 60
CHECK_CALL = re.compile(r"""check\(\s*["']([A-Za-z0-9_]+)["']""")
DEFINITION = re.compile(r"^\s*(?:def\s+([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*=)", re.M)


@dataclass(frozen=True)
class Submission:
    """One file to grade (or, from the roster, one that never came)."""

    student_id: str
    path: Path | None  # None: on the roster, but no file was handed in
    name: str  # the file name as text, whatever its encoding
    stem: str  # the report files' name


def display_name(path: Path) -> str:
    """The file name as readable text: UTF-8 if it is, else Latin-1.

    >>> display_name(Path(os.fsdecode(b"Jos\\xe9.ipynb")))
    'José.ipynb'
    """
    raw = os.fsencode(path.name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def safe_stem(name: str) -> str:
    """A file-name-safe, bounded stem: ASCII letters, digits, `_`, `.` and `-`.

    >>> safe_stem("Ada Lovelace (late).ipynb"), safe_stem("José.ipynb")
    ('Ada_Lovelace_late', 'Jose')
    """
    ascii_name = (
        unicodedata.normalize("NFKD", Path(name).stem)
        .encode("ascii", "ignore")
        .decode()
    )
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", ascii_name).strip("._-")
    return stem[:STEM_LENGTH] or "submission"


def unique_stems(names: list[str]) -> list[str]:
    """`safe_stem` of each name, with `-2`, `-3`... where two would be equal.

    >>> unique_stems(["a/x.ipynb", "b/x.ipynb", "x-2.ipynb"])
    ['x', 'x-2', 'x-2-2']
    """
    taken: set[str] = set()
    stems = []
    for name in names:
        stem, number = safe_stem(name), 1
        candidate = stem
        while candidate.lower() in taken:
            number += 1
            candidate = f"{stem}-{number}"
        taken.add(candidate.lower())
        stems.append(candidate)
    return stems


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, folders as their `*.ipynb` by name; refuses missing paths."""
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise ValueError(f"no such file or folder: {', '.join(missing)}")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [
                p
                for p in path.iterdir()
                if p.suffix == ".ipynb" and not p.name.startswith(".")
            ]
            files += sorted(found, key=lambda p: os.fsencode(p.name))
        else:
            files.append(path)
    files = list({str(path): path for path in reversed(files)}.values())[::-1]
    if not files:
        raise ValueError(f"no .ipynb file in {', '.join(map(str, paths))}")
    return files


def read_roster(path: Path) -> dict[str, str]:
    """Submission file name -> student id, from a CSV `student_id,submission`."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or {"student_id", "submission"} - set(rows[0]):
        raise ValueError(f"roster {path}: the header must be student_id,submission")
    roster: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        student, name = (row["student_id"] or "").strip(), (row["submission"] or "")
        if not student:
            raise ValueError(f"roster {path}, line {line}: empty student_id")
        if name.strip() in roster:
            raise ValueError(
                f"roster {path}, line {line}: the submission "
                f"{name.strip()!r} is listed twice"
            )
        if student in roster.values():
            raise ValueError(
                f"roster {path}, line {line}: the student_id "
                f"{student!r} is listed twice"
            )
        roster[name.strip()] = student
    return roster


def match(files: list[Path], roster: dict[str, str] | None) -> list[Submission]:
    """The submissions in order: the files, then the roster's students without one.

    Without a roster, a student id is the file's name without `.ipynb`.
    """
    names = [display_name(path) for path in files]
    # A file the roster does not list keeps its name as id: the teacher sees
    # it in every table instead of an empty cell.
    ids = [(roster or {}).get(name, Path(name).stem) for name in names]
    missing = [(sid, name) for name, sid in (roster or {}).items() if name not in names]
    stems = unique_stems(names + [sid for sid, _ in missing])
    handed_in = [
        Submission(sid, path, name, stem)
        for sid, path, name, stem in zip(ids, files, names, stems, strict=False)
    ]
    absent = [
        Submission(sid, None, name, stem)
        for (sid, name), stem in zip(missing, stems[len(files) :], strict=True)
    ]
    return handed_in + absent


def identify(path: Path, targets: dict[str, set[str]]) -> set[str]:
    """The exercises a notebook looks like, from `check("id")` and defined names.

    `targets` maps each exercise id to the names its tests look up. Returns an
    empty set for a file that cannot be read or shows neither.
    """
    try:
        # The grader's own reader: no symbolic link, a regular file, capped.
        cells = json.loads(read_bytes(path, MAX_IDENTIFY_BYTES)).get("cells", [])
        code = "\n".join(
            "".join(c.get("source", ""))
            for c in cells
            if isinstance(c, dict) and c.get("cell_type") == "code"
        )
    except (Refused, ValueError, AttributeError, TypeError, RecursionError):
        return set()
    checked = set(CHECK_CALL.findall(code)) & set(targets)
    defined = {a or b for a, b in DEFINITION.findall(code)}
    # A name several exercises test says nothing about which one this is.
    owners = {
        name: [e for e, names in targets.items() if name in names] for name in defined
    }
    by_name = {found[0] for found in owners.values() if len(found) == 1}
    return checked | by_name
