"""bench/cahier.py keeps running as the code changes (tiny sizes; no timing is asserted)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "cahier.py"


def test_cahier_benchmark_lists_a_years_homework_as_student_and_parent(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--students", "300", "--homework", "60", "--runs", "3"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "60 devoirs sur l'année" in out
    assert "liste des devoirs de l'année (élève)" in out and "liste des devoirs de l'année (parent)" in out
    assert "requêtes SQL par requête (parent)" in out and "p50" in out and "p95" in out
