"""requirements.lock (what `make audit` checks) pins every declared dependency, at a version
pyproject.toml allows; `make test` never needs the network for an audit."""

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def locked() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {canonicalize_name(name): version for name, version in pins}


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [
        Requirement(line)
        for line in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    ]


def test_the_lock_pins_every_declared_dependency_at_an_allowed_version():
    pins = locked()
    wrong = [
        f"{req.name}: locked {pins.get(canonicalize_name(req.name))}, allowed {req.specifier}"
        for req in declared()
        if pins.get(canonicalize_name(req.name)) is None
        or not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)
    ]
    assert not wrong, "run `make lock`:\n" + "\n".join(wrong)


def test_the_lock_is_what_the_venv_runs():
    """scripts/make-venv installs with the lock as constraints: what is tested is what is locked."""
    differ = {
        name: (version, metadata.version(name))
        for name, version in locked().items()
        if metadata.version(name) != version
    }
    assert not differ, f"run `make lock` (locked, installed): {differ}"


def test_make_test_runs_no_audit():
    """The audit needs a vulnerability service these machines cannot reach (README)."""
    assert "audit" not in (ROOT / "scripts/test").read_text()
    makefile = (ROOT / "Makefile").read_text()
    test_target = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "audit" not in test_target
