"""bench/carnet.py keeps running as the code changes (tiny sizes; no timing is asserted)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "carnet.py"


def test_carnet_benchmark_sends_a_mot_through_the_service_and_the_wsgi_post(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--students", "300", "--recipients", "40", "--runs", "3"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Groupe de 40 élèves" in out
    assert "envoi d'un mot (fonction de service)" in out and "envoi d'un mot (POST WSGI)" in out
    assert "requêtes SQL par envoi (service)" in out and "requêtes SQL par envoi (POST)" in out
    assert "p50" in out and "p95" in out and "(40 par mot)" in out
