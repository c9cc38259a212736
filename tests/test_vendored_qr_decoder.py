"""The QR decoder served to the door page is the jsqr release that package-lock.json names,
byte for byte after its licence line.

node_modules comes from ``npm ci``; without it the check is skipped with the reason locally
and fails in CI (``CI=true``), as the browser tests do.
"""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDORED = ROOT / "eventsys" / "static" / "vendor" / "jsQR.js"
VENDORED_LICENCE = ROOT / "eventsys" / "static" / "vendor" / "jsQR-LICENSE.txt"
PACKAGE = ROOT / "node_modules" / "jsqr"


def _locked_version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/jsqr"]["version"]


@pytest.fixture
def installed_package() -> Path:
    if not (PACKAGE / "dist" / "jsQR.js").exists():
        reason = "node_modules/jsqr (npm ci)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the vendored decoder cannot be checked without {reason}", pytrace=False)
        pytest.skip(f"checking the vendored decoder needs {reason}")
    installed = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == _locked_version(), "node_modules/jsqr is not the locked version: npm ci"
    return PACKAGE


def test_vendored_decoder_is_the_locked_release_with_its_licence_line(installed_package):
    licence_line, body = VENDORED.read_text(encoding="utf-8").split("\n", 1)
    assert licence_line.startswith("/*!") and licence_line.endswith("*/")
    assert f"jsQR {_locked_version()} " in licence_line
    assert "Apache License 2.0" in licence_line
    upstream = (installed_package / "dist" / "jsQR.js").read_text(encoding="utf-8")
    assert body == upstream, (
        "eventsys/static/vendor/jsQR.js differs from node_modules/jsqr/dist/jsQR.js: "
        "copy it again with its licence line"
    )


def test_vendored_decoder_ships_the_packages_licence(installed_package):
    upstream = (installed_package / "LICENSE").read_text(encoding="utf-8")
    assert VENDORED_LICENCE.read_text(encoding="utf-8") == upstream
