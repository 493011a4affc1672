"""The publishing workflow tests before it deploys, as CI does (.ci/run)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github/workflows/pages.yml"


def build_job() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]


def build_steps() -> list[str]:
    return [step.get("run", step.get("uses", "")) for step in build_job()["steps"]]


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^(make \w+)\s+# run every test", readme, re.MULTILINE)
    assert commands, "the README names no test command"
    return commands[0]


def test_ci_script_ends_with_the_readme_test_command() -> None:
    lines = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line]
    assert lines[-1] == readme_test_command()
    assert "export CI=true" in lines


def test_tests_run_before_the_site_is_uploaded() -> None:
    steps = build_steps()
    upload = next(i for i, step in enumerate(steps) if "upload-pages-artifact" in step)
    assert ".ci/run" in steps and steps.index(".ci/run") < upload, steps
    assert steps.index("make pdf") < upload, "the PDF must be in the uploaded site"
    assert yaml.safe_load(WORKFLOW.read_text())["jobs"]["deploy"]["needs"] == "build"


def test_the_build_runs_where_ci_script_can_install_its_packages() -> None:
    # .ci/run installs Debian packages with apt-get as root: a Debian image
    # with the Python that binder/runtime.txt and pyproject.toml ask for.
    image = build_job()["container"]["image"]
    python = (ROOT / "binder/runtime.txt").read_text().strip().removeprefix("python-")
    assert re.fullmatch(rf"python:{re.escape(python)}-(bookworm|trixie)", image), image
    assert "poppler-utils" in (ROOT / ".ci/run").read_text()


def load_pdf_edition():
    spec = importlib.util.spec_from_file_location(
        "pdf_edition", ROOT / "_ext/pdf_edition.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pdf_link_follows_repository_url() -> None:
    pdf_edition = load_pdf_edition()
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    owner, name = url.removeprefix("https://github.com/").split("/")
    expected = f"https://{owner.lower()}.github.io/{name}/why-convolution.pdf"
    assert pdf_edition.pdf_url(url) == expected
    assert pdf_edition.pdf_url("https://github.com/Someone/fork.git") == (
        "https://someone.github.io/fork/why-convolution.pdf"
    )
    with pytest.raises(
        Exception, match=r"'https://gitlab.com/a/b'.*github.com/<owner>"
    ):
        pdf_edition.pdf_url("https://gitlab.com/a/b")
