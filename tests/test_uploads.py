"""The kernel's one upload validation (preau.check_upload): names, types read from the content, programs, SVG,
image dimensions read from the header, limits — each refusal with a French reason and its HTTP status."""

from __future__ import annotations

import io
import time

import pytest
from werkzeug.datastructures import FileStorage

import preau
from preau import ALL_KINDS, IMAGE_KINDS, CheckedUpload, ImageLimits, UploadError, check_upload, safe_filename
from tests.upload_attacks import ELF, PDF, PE, SVG_SCRIPT, attacks, huge_png, small_png


def refusal(data: bytes, name: str | None, **kwargs) -> UploadError:
    with pytest.raises(UploadError) as caught:
        check_upload(data, name, **kwargs)
    return caught.value


def test_a_normal_document_and_image_pass_with_a_sniffed_type():
    assert check_upload(PDF, "Fiche d'exercices.pdf") == CheckedUpload("Fiche d'exercices.pdf", "application/pdf",
                                                                      PDF, "document")
    image = check_upload(small_png(40, 30), "photo.PNG", kinds=IMAGE_KINDS)
    assert (image.mime, image.kind, image.width, image.height) == ("image/png", "image", 40, 30)
    assert check_upload(b"nom;prenom\nDupont;\xe9lise\n", "liste.csv").mime == "text/csv"  # cp1252 is text too


def test_a_werkzeug_file_storage_is_read_up_to_the_limit_only():
    stream = io.BytesIO(PDF + b"0" * 5000)
    error = refusal(FileStorage(stream, filename="gros.pdf"), None, max_bytes=1000)
    assert (error.status, error.reason) == (413, "file_too_large") and "dépasse 1 Ko" in str(error)
    assert stream.tell() == 1001
    checked = check_upload(FileStorage(io.BytesIO(PDF), filename="ok.pdf"))
    assert checked.filename == "ok.pdf" and checked.size == len(PDF)


@pytest.mark.parametrize("name", ["../../x.txt", "..\\..\\boot.ini.pdf", "/etc/passwd.txt", "C:\\boot.ini.txt",
                                  "a/../b.txt", "..", "."])
def test_a_name_with_a_path_is_refused_whatever_the_separator(name):
    error = refusal(b"texte", name)
    assert (error.status, error.reason) == (400, "bad_filename")
    assert "Nom de fichier refusé" in str(error)


def test_names_lose_control_characters_leading_dots_and_excess_length():
    assert safe_filename("\u202egpj.exe") == "gpj.exe"  # right-to-left override: shown as "exe.jpg"
    assert safe_filename("  ..bulletin\x00\x1b.pdf  ") == "bulletin.pdf"
    assert safe_filename("e\u0301te\u0301.txt") == "été.txt"  # NFC
    long = safe_filename("a" * 500 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
    assert refusal(b"x", "\x00\x01").reason == "bad_filename"
    assert refusal(b"x", None).reason == "bad_filename"


@pytest.mark.parametrize(("name", "content"), [("virus.pdf", PE), ("outil.pdf", ELF), ("run.txt", b"#!/bin/sh\nrm"),
                                               ("setup.exe", b"hello"), ("macro.vbs", b"hello")])
def test_programs_are_refused_by_content_and_by_extension(name, content):
    error = refusal(content, name)
    assert (error.status, error.reason) == (415, "executable") and "est un programme" in str(error)


@pytest.mark.parametrize(("name", "content"), [
    ("dessin.svg", SVG_SCRIPT), ("dessin.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("dessin.txt", SVG_SCRIPT), ("page.txt", b"\xef\xbb\xbf  <!DOCTYPE html><script>alert(1)</script>"),
    ("page.html", b"<p>bonjour</p>"), ("image.png", b"<svg onload=alert(1)>")])
def test_svg_and_html_are_refused_even_under_another_name(name, content):
    error = refusal(content, name)
    assert (error.status, error.reason) == (415, "active_content") and "SVG, HTML et XML sont refusés" in str(error)


def test_a_content_that_lies_about_its_extension_is_refused():
    for name, content in [("faux.png", PDF), ("faux.pdf", small_png()), ("faux.docx", PDF), ("faux.txt", PDF[:9]
                                                                                                 + b"\x00\x00")]:
        error = refusal(content, name)
        assert (error.status, error.reason) == (400, "type_mismatch"), name
        assert "ne correspond pas" in str(error)


def test_a_type_outside_the_accepted_kinds_is_415():
    error = refusal(PDF, "cours.pdf", kinds=IMAGE_KINDS)
    assert (error.status, error.reason) == (415, "type_refused") and "images PNG, JPEG, GIF, WebP" in str(error)
    assert refusal(b"x", "sans-extension").status == 415


def test_an_image_too_large_in_pixels_is_413_without_decoding_it():
    bomb = huge_png()
    assert len(bomb) < 150_000  # 900 megapixels in about 110 KB
    started = time.perf_counter()
    error = refusal(bomb, "affiche.png", kinds=IMAGE_KINDS)
    elapsed = time.perf_counter() - started
    assert (error.status, error.reason) == (413, "image_too_large") and "image trop grande" in str(error)
    assert elapsed < 0.5  # the header is read, the 900 million pixels are not


def test_the_pixel_limits_are_configurable(app):
    wide = small_png(300, 10)
    assert refusal(wide, "bandeau.png", image_limits=ImageLimits(max_pixels=10_000, max_side=200)).status == 413
    assert refusal(wide, "bandeau.png", image_limits=ImageLimits(max_pixels=2_000, max_side=1000)).status == 413
    with app.app_context():
        app.config["UPLOAD_MAX_IMAGE_SIDE"] = 100
        try:
            assert refusal(wide, "bandeau.png").reason == "image_too_large"
        finally:
            app.config["UPLOAD_MAX_IMAGE_SIDE"] = 10_000
        assert check_upload(wide, "bandeau.png").width == 300


def test_a_broken_image_is_refused():
    error = refusal(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "photo.png")
    assert (error.status, error.reason) == (400, "bad_image") and "n'est pas une image valide" in str(error)


def test_every_attack_of_issue_16_is_refused_by_the_kernel():
    for name, content, status, reason in attacks():
        error = refusal(content, name, kinds=ALL_KINDS)
        assert (error.status, reason in str(error)) == (status, True), name


def test_the_upload_validation_is_public_api():
    assert {"check_upload", "safe_filename", "UploadError", "CheckedUpload", "ImageLimits", "IMAGE_KINDS",
            "ALL_KINDS"} <= set(preau.__all__)
