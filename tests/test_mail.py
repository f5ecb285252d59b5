"""E-mail through a real local SMTP server (aiosmtpd): queued with the request, delivered by a job."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from preau import send_mail
from preau.cli import cli
from preau.jobs import PermanentJobError
from preau.mail import parse_smtp_url
from preau.models import Job, JobState
from preau.models._time import utcnow
from preau.testing import SMTP_TEST_USER, run_jobs


def test_a_mail_arrives_with_utf8_subject_body_and_sender(app, db, smtp_server):
    job = send_mail(db, "parent.colin@example.org", "Réunion parents-professeurs — jeudi",
                    "Bonjour,\nla réunion aura lieu à 18 h en salle « Émile-Zola ».\nÀ bientôt ✔",
                    html="<p>la réunion aura lieu à <b>18 h</b></p>")
    db.commit()
    assert smtp_server.messages == []  # nothing leaves before the job runs
    run_jobs(app)

    [message] = smtp_server.messages
    assert message["Subject"] == "Réunion parents-professeurs — jeudi"
    assert message["To"] == "parent.colin@example.org"
    assert message["From"] == "Préau <no-reply@localhost>"
    assert message["Message-ID"].endswith("@localhost>")
    assert "réunion aura lieu à 18 h en salle « Émile-Zola »" in message.get_body(("plain",)).get_content()
    assert "À bientôt ✔" in message.get_body(("plain",)).get_content()
    assert "<b>18 h</b>" in message.get_body(("html",)).get_content()
    assert smtp_server.envelopes[0].rcpt_tos == ["parent.colin@example.org"]
    assert smtp_server.logins == [SMTP_TEST_USER]  # the URL's credentials were used
    db.refresh(job)
    assert job.state == JobState.DONE


def test_a_mail_queued_in_a_rolled_back_transaction_is_never_sent(app, db, smtp_server):
    send_mail(db, "someone@example.org", "Annulé", "ne doit pas partir")
    db.rollback()
    run_jobs(app)
    assert smtp_server.messages == []


def test_a_temporary_refusal_is_retried_and_then_delivered(app, db, smtp_server):
    smtp_server.refuse_next(1)
    job = send_mail(db, "prof.martin@example.org", "Rappel", "Conseil de classe")
    db.commit()
    run_jobs(app)
    db.refresh(job)
    assert (job.state, job.attempts, smtp_server.messages) == (JobState.QUEUED, 1, [])
    assert "451" in job.last_error
    run_jobs(app, now=utcnow() + timedelta(minutes=5))
    db.refresh(job)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert [m["Subject"] for m in smtp_server.messages] == ["Rappel"]


def test_without_smtp_url_the_mail_job_fails_at_once_with_the_reason(app, db):
    assert not app.config.get("SMTP_URL")
    job = send_mail(db, "someone@example.org", "Sans serveur", "texte")  # the caller is not disturbed
    db.commit()
    run_jobs(app)
    db.refresh(job)
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert "PREAU_SMTP_URL n'est pas configuré" in job.last_error


def test_a_wrong_smtp_password_is_never_written_to_the_job_or_the_log(app, db, smtp_server, caplog):
    app.config["SMTP_URL"] = f"smtp://{SMTP_TEST_USER}:Wrong-Pa%24%24word@127.0.0.1:{smtp_server.port}"
    job = send_mail(db, "someone@example.org", "Test", "texte")
    job.max_attempts = 1
    db.commit()
    with caplog.at_level(logging.DEBUG):
        run_jobs(app)
    db.refresh(job)
    assert job.state == JobState.FAILED
    assert "SMTPAuthenticationError" in job.last_error
    for text in (job.last_error, caplog.text):
        assert "Wrong-Pa" not in text
    assert smtp_server.messages == []


def test_a_malformed_address_is_refused_at_once_and_queues_nothing(db):
    for address in ("pas-une-adresse", "a@example.org\r\nBcc: victim@example.org", ""):
        with pytest.raises(ValueError):
            send_mail(db, address, "Sujet", "texte")
    with pytest.raises(ValueError):
        send_mail(db, "ok@example.org", "Sujet\r\nBcc: victim@example.org", "texte")
    assert db.scalars(select(Job)).all() == []


def test_smtp_urls_give_mode_port_and_decoded_credentials():
    plain = parse_smtp_url("smtp://relay.example.org")
    assert (plain.mode, plain.port, plain.username, plain.password) == ("plain", 25, None, None)
    starttls = parse_smtp_url("smtp+starttls://ent%40ville.fr:p%40ss%3Aw0rd@smtp.example.org")
    assert (starttls.mode, starttls.port, starttls.username, starttls.password) == (
        "starttls", 587, "ent@ville.fr", "p@ss:w0rd")
    tls = parse_smtp_url("smtps://u:secret-xyz@smtp.example.org:2465")
    assert (tls.mode, tls.host, tls.port) == ("tls", "smtp.example.org", 2465)
    assert "secret-xyz" not in repr(tls)
    with pytest.raises(PermanentJobError):
        parse_smtp_url("http://smtp.example.org")


def test_cli_jobs_run_once_delivers_and_jobs_list_shows_the_result(tmp_path, monkeypatch, smtp_server):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--db", url], catch_exceptions=False).exit_code == 0
    with Session(create_engine(url)) as session:
        send_mail(session, "eleve.lea@example.org", "Devoirs à rendre", "Exercice 3 p. 42")
        session.commit()
    monkeypatch.setenv("PREAU_SMTP_URL", smtp_server.url)

    ran = runner.invoke(cli, ["jobs", "run", "--once", "--db", url], catch_exceptions=False)
    assert ran.exit_code == 0, ran.output
    assert "mail.send : done" in ran.output
    assert [m["Subject"] for m in smtp_server.messages] == ["Devoirs à rendre"]

    listed = runner.invoke(cli, ["jobs", "list", "--db", url], catch_exceptions=False)
    assert "mail.send" in listed.output and "done" in listed.output and "essais 1/" in listed.output
    assert smtp_server.url not in listed.output + ran.output
