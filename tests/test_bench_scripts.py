"""The benchmark scripts keep running as the code changes (tiny sizes here; no timing is asserted)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _run(script: str, *args: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=cwd, capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_seed_benchmark_compares_with_the_raw_baseline(tmp_path):
    out = _run("seed.py", "--students", "300", cwd=tmp_path)
    assert "mêmes lignes dans les deux bases (hors codes d'activation et horodatages) : oui" in out
    assert "ratio seeder / référence" in out


def test_login_benchmark_measures_logins_and_the_dashboard(tmp_path):
    out = _run("login.py", "--logins", "4", "--threads", "2", "--pages", "10", cwd=tmp_path)
    assert "connexions/s" in out and "tableau de bord GET /" in out


def test_communication_benchmark_measures_the_rules(tmp_path):
    out = _run("communication.py", "--students", "300", "--samples", "5", cwd=tmp_path)
    assert "can_communicate, autorisé" in out and "visible_users préfixe 3 lettres, parent" in out


def test_messaging_benchmark_sends_lists_and_searches(tmp_path):
    out = _run("messaging.py", "--students", "2000", "--runs", "2", "--samples", "3", cwd=tmp_path)
    assert "envoi à un groupe de 1 000" in out and "ratio envoi / SQL brut" in out
    assert "recherche plein texte" in out


def test_veto_benchmark_sends_to_a_thousand_with_and_without_veto_plugins(tmp_path):
    out = _run("communication_vetoes.py", "--students", "1500", "--runs", "2", cwd=tmp_path)
    assert "sans extension de veto" in out and "avec 3 extensions de veto" in out
    assert "appels de preau_communication_vetoes par envoi : 3 (un par extension)" in out
    assert "refusés)" in out and "ratio avec / sans vetos" in out


def test_portal_benchmark_measures_the_dashboard_and_my_apps(tmp_path):
    out = _run("portal.py", "--students", "300", "--runs", "3", cwd=tmp_path)
    assert "GET / avec 8 widgets (cadres)" in out and "débit avec 8 widgets / sans widget" in out
    assert "Mes Applis du même enseignant (40 tuiles)" in out and "résolutions des droits : 1" in out


def test_cas_benchmark_issues_and_validates_tickets(tmp_path):
    out = _run("cas.py", "--smoke", cwd=tmp_path)
    assert "Préau : 10 cycles" in out and "p3/serviceValidate p50" in out


def test_lti13_benchmark_launches_through_the_id_token_form(tmp_path):
    out = _run("lti13.py", "--smoke", cwd=tmp_path)
    assert "lancements : 5" in out and "p50" in out and "p95" in out


def test_aaf_import_benchmark_imports_the_sample_and_a_synthetic_feed_twice(tmp_path):
    out = _run("aaf_import.py", "--students", "500", cwd=tmp_path)
    assert "(a) aaf-2013 complet, SQLite" in out and "(b) 500 élèves, sqlite" in out
    assert "(c) réimport identique" in out and "ratio premier / second import" in out and "ru_maxrss" in out


def test_statistics_benchmark_fills_a_year_and_reads_it(tmp_path):
    out = _run("stats.py", "--students", "300", "--runs", "2", "--logins", "2", cwd=tmp_path)
    assert "summary (ville, un an)" in out and "GET page des statistiques" in out
    assert "ratio avec / sans enregistrement" in out


def test_school_life_benchmark_measures_a_parents_dashboard_with_and_without_its_widgets(tmp_path):
    out = _run("school_life.py", "--students", "300", "--runs", "3", cwd=tmp_path)
    assert "avec les 2 widgets antérieurs" in out and "ratio avec / sans les widgets de vie scolaire" in out
    assert "cahier.todo" in out and "actualites.latest" in out


def test_login_guesses_benchmark_follows_the_throttling_schedule(tmp_path):
    out = _run("login_guesses.py", "--smoke", cwd=tmp_path)
    assert "essais par heure au plafond" in out and "l'application suit le calendrier : oui" in out


def test_benchmarks_measure_a_copy_of_a_seeded_template_without_seeding_again(tmp_path):
    """CI seeds one académie and gives several benchmarks a copy of it (--seeded); a copy of another size is
    refused rather than measured."""
    template = tmp_path / "template.db"
    preau = Path(sys.executable).with_name("preau")
    subprocess.run([str(preau), "seed", "--students", "300", "--db", f"sqlite:///{template}"], cwd=tmp_path,
                   capture_output=True, text=True, timeout=240, check=True)
    copy = tmp_path / "copy.db"
    copy.write_bytes(template.read_bytes())
    out = _run("communication.py", "--seeded", "--students", "300", "--samples", "3", "--db", f"sqlite:///{copy}",
               cwd=tmp_path)
    assert "Académie de 300 élèves déjà semée" in out and "semée en" not in out
    assert "can_communicate, autorisé" in out
    refused = subprocess.run([sys.executable, str(BENCH / "school_life.py"), "--seeded", "--students", "400",
                              "--runs", "1", "--db", f"sqlite:///{copy}"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=240)
    assert refused.returncode != 0 and "holds 300 seeded students, not 400" in refused.stderr
