"""bench/timetable.py keeps running as the code changes (tiny sizes; no timing is asserted)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "timetable.py"


def test_timetable_benchmark_shows_a_class_week_to_student_and_parent(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--students", "300", "--runs", "3"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "cours sur l'année insérés" in out and "classes," in out
    for label in ("élève", "parent", "parent, ?classe="):
        assert f"semaine d'une classe ({label})" in out and f"requêtes SQL par requête ({label})" in out
    assert "p50" in out and "p95" in out
