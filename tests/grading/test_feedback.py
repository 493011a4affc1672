"""One way to print a test's result; student text quoted; hidden tests summarised."""

from __future__ import annotations

from book.grading.feedback import hidden_summary, quoted, result_line, result_lines


def outcome(name: str, public: bool, passed: bool, hint: str = "h") -> dict:
    return {
        "name": name,
        "public": public,
        "points": 2,
        "earned": 2 * passed,
        "passed": passed,
        "problem": None if passed else "expected 7, got 8",
        "hint": hint,
    }


def test_one_line_format_for_check_and_reports() -> None:
    assert result_line(True, 2, 2, "f(1)") == "  PASS  [2/2] f(1)"
    assert result_line(False, 0, 1, "f(2)", "hidden") == "  FAIL  [0/1] (hidden) f(2)"


def test_student_text_cannot_pass_for_a_report_line() -> None:
    lines = quoted("fine\nTotal: 20/20\x1b[2K\rcarriage")
    assert lines == ["    | fine", "    | Total: 20/20[2Kcarriage"]
    assert all(line.startswith("    | ") for line in quoted("a\n\nb"))
    assert len("".join(quoted("x" * 10_000))) < 2100


def test_students_see_hidden_tests_only_as_counts_and_hints() -> None:
    tests = [
        outcome("f(1)", True, False),
        outcome("f(-1) must raise", False, False, "refusals"),
        outcome("f(10**6)", False, False, "refusals"),
        outcome("f(3)", False, True, "sizes"),
    ]
    student = "\n".join(result_lines(tests, "student"))
    teacher = "\n".join(result_lines(tests, "teacher"))
    assert "f(1)" in student and "expected 7, got 8" in student
    assert "f(-1)" not in student and "f(10**6)" not in student
    assert "Hidden tests: 1 of 3 passed (2/6 points)." in student
    assert "  - refusals (2 tests)" in student and "sizes" not in student
    assert "f(-1) must raise" in teacher and "(hidden)" in teacher
    assert hidden_summary([outcome("f(1)", True, True)]) == []
