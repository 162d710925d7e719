"""constraints.txt (written by scripts/lock) pins what every install gets: it must cover every dependency of
pyproject.toml within its range, and the environment the tests run in must be the one it pins (scripts/test
installs with it), so CI tests the versions a new user gets."""

import tomllib
from importlib.metadata import distribution, version

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import ROOT


def _pins() -> list[Requirement]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line.split("#", 1)[0]) for line in lines if line.split("#", 1)[0].strip()]


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {}).values()
    return [Requirement(text) for text in [*project["dependencies"], *(r for extra in extras for r in extra)]]


def _pinned_version(pin: Requirement) -> str:
    (spec,) = pin.specifier
    assert spec.operator == "==", f"{pin} is not an exact pin"
    return spec.version


def test_every_pin_is_exact_and_once_per_environment() -> None:
    seen: dict[tuple[str, str], str] = {}
    for pin in _pins():
        key = (canonicalize_name(pin.name), str(pin.marker))
        assert key not in seen, f"{pin.name} pinned twice for the same environments"
        seen[key] = _pinned_version(pin)


def test_every_dependency_is_pinned_within_its_range() -> None:
    pins: dict[str, list[str]] = {}
    for pin in _pins():
        pins.setdefault(canonicalize_name(pin.name), []).append(_pinned_version(pin))
    for requirement in _declared():
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in constraints.txt: run scripts/lock"
        for pinned in versions:
            assert requirement.specifier.contains(pinned, prereleases=True), (
                f"constraints.txt pins {requirement.name}=={pinned}, outside {requirement}: run scripts/lock"
            )


def _needed(name: str, extras: tuple[str, ...] = ()) -> dict[str, str]:
    """The installed versions of `name` and of every package it needs, with these extras (canonical names).
    A package needed but not installed raises PackageNotFoundError: the environment is broken."""
    found: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(name, extras)]
    while todo:
        package, wanted = todo.pop()
        if (key := (canonicalize_name(package), frozenset(wanted))) in seen:
            continue
        seen.add(key)
        found[key[0]] = version(package)
        markers = [{"extra": extra} for extra in wanted] or [{"extra": ""}]
        for requirement in map(Requirement, distribution(package).requires or []):
            if requirement.marker is None or any(requirement.marker.evaluate(m) for m in markers):
                todo.append((requirement.name, tuple(requirement.extras)))
    return found


def test_installed_versions_are_the_pinned_ones() -> None:
    """What the tests run on: this project with its test extra, and everything those need."""
    installed = _needed("peru-transparencia", ("test",))
    pins = {
        canonicalize_name(pin.name): _pinned_version(pin)
        for pin in _pins()
        if pin.marker is None or pin.marker.evaluate()
    }
    del installed["peru-transparencia"]
    assert len(installed) > 50, f"only {sorted(installed)} found: the project is not installed"
    differing = {name: (got, pins.get(name)) for name, got in installed.items() if pins.get(name) != got}
    assert not differing, (
        f"installed (version, pinned): {differing}; install with `pip install -c constraints.txt` "
        "(scripts/test does), or run scripts/lock after changing pyproject.toml"
    )
