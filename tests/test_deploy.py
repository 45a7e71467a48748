"""deploy/: the unit and the image keep the promises the README makes about them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def test_the_image_runs_as_a_user_other_than_root_with_the_database_on_a_volume():
    text = (DEPLOY / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert re.search(r'^VOLUME \["/data"\]', text, re.M)
    assert "CRADLE_DATABASE=/data/" in text
    assert "--read-only" in text  # how to run it is written at the top


def test_the_unit_migrates_first_and_keeps_files_private(tmp_path: Path):
    text = (DEPLOY / "cradle.service").read_text()
    assert text.index("ExecStartPre=/opt/cradle/.venv/bin/cradle db migrate") < text.index(
        "ExecStart=/opt/cradle/.venv/bin/cradle serve"
    )
    assert "UMask=0077" in text and "User=cradle" in text and "ProtectSystem=strict" in text
    if shutil.which("systemd-analyze"):  # the real parser, with the binary where it is here
        cradle = Path(sys.executable).with_name("cradle")
        for name in ("cradle.service", "cradle-backup.service", "cradle-backup.timer"):
            unit = (DEPLOY / name).read_text().replace("/opt/cradle/.venv/bin/cradle", str(cradle))
            (tmp_path / name).write_text(unit)
        result = subprocess.run(
            ["systemd-analyze", "verify", *(str(tmp_path / n) for n in
             ("cradle.service", "cradle-backup.service", "cradle-backup.timer"))],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0 and not result.stderr.strip(), result.stderr
