"""The wheel carries its templates and migrations and runs outside the checkout."""

import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel and installs it in a new virtualenv

ROOT = Path(__file__).resolve().parent.parent

CHECK = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import eventsys
    from eventsys import MIGRATIONS_DIR, TEMPLATE_DIR, create_app
    from eventsys.extensions import db
    from flask_migrate import upgrade

    package = Path(eventsys.__file__).parent
    assert package.is_relative_to(Path(sys.prefix)), package
    assert Path(TEMPLATE_DIR) == package / "templates", TEMPLATE_DIR
    assert Path(MIGRATIONS_DIR) == package / "migrations", MIGRATIONS_DIR

    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
    with app.app_context():
        upgrade()
        assert "users" in db.inspect(db.engine).get_table_names()
    client = app.test_client()
    home = client.get("/")
    assert home.status_code == 200, home.status_code
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "<h1>" in missing.text, missing.status_code
    print("wheel ok")
    """
)


def test_installed_wheel_serves_pages_and_upgrades_from_bundled_migrations(tmp_path):
    dist = tmp_path / "dist"
    # The build backend is in the test environment: no network, no build isolation.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--quiet", "--wheel-dir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("eventsys-*.whl")

    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    # The fresh venv sees the installed dependencies, but not the checkout.
    new_site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    (new_site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
        + ["--no-index", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )

    result = subprocess.run(
        [str(python), "-W", "error", "-c", CHECK, f"sqlite:///{tmp_path / 'wheel.db'}"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "EVENTSYS_INSTANCE_PATH": str(tmp_path / "instance")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wheel ok" in result.stdout
    assert (target / "bin" / "eventsys").exists()
