"""Error pages say what went wrong in the person's language and never run text they did not write."""

from html import unescape

from flask import render_template
from werkzeug.exceptions import HTTPException


def test_an_error_message_is_escaped_even_when_it_comes_from_input(app):
    with app.test_request_context("/"):
        html = render_template("error.html", code=409, message='<script>alert("x")</script> « Club »')
    assert "<script>" not in html and "&lt;script&gt;" in html and "« Club »" in html


def test_a_missing_page_answers_in_french_then_in_english(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Cette page n'existe pas ou ne vous est pas accessible." in unescape(response.get_data(as_text=True))
    client.set_cookie("preau_lang", "en")
    response = client.get("/no/such/page")
    page = unescape(response.get_data(as_text=True))
    assert "Cette page n'existe pas" not in page and "does not exist" in page


# -- PreauError: one base, one handler ---------------------------------------------------------------------


def test_an_uncaught_preau_error_in_a_plugin_view_gives_the_error_page_in_the_persons_language(
        client, school, login_as, enable_plugin):
    enable_plugin("translated", school.structure)
    login_as(school.teacher)
    response = client.get("/apps/translated/ferme")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert "Erreur 409" in page and "Le club est fermé jusqu'au 05/01." in page
    client.post_form("/lang", {"lang": "en"})
    page = unescape(client.get("/apps/translated/ferme").get_data(as_text=True))
    assert "Error 409" in page and "The club is closed until 05/01." in page and "fermé" not in page


def test_an_uncaught_preau_error_in_an_api_view_is_an_rfc_9457_problem(client, school, login_as):
    login_as(school.teacher)
    response = client.get("/api/v1/translated/closed")
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank", "title": "Conflict", "status": 409, "detail": "Le club est fermé jusqu'au 05/01.",
        "error": "conflict", "message": "Le club est fermé jusqu'au 05/01.", "reason": "closed"}
    client.post_form("/lang", {"lang": "en"})
    assert client.get("/api/v1/translated/closed").get_json()["detail"] == "The club is closed until 05/01."


def test_a_page_asked_for_in_json_answers_a_problem_too(client, school, login_as, enable_plugin):
    enable_plugin("translated", school.structure)
    login_as(school.teacher)
    refused = client.get("/apps/translated/ferme", headers={"Accept": "application/json"})
    assert refused.status_code == 409 and refused.get_json()["reason"] == "closed"
    missing = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert missing.mimetype == "application/problem+json" and missing.get_json()["status"] == 404
    assert "Cette page n'existe pas" in missing.get_json()["detail"]


def test_a_preau_error_of_status_500_is_logged_and_never_shown(client, school, login_as, enable_plugin, caplog):
    enable_plugin("translated", school.structure)
    login_as(school.teacher)
    response = client.get("/apps/translated/panne")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 500 and "Une erreur interne s'est produite." in page
    assert "mot de passe interne" not in page and "mot de passe interne" in caplog.text


def test_every_exception_class_of_the_kernel_and_the_built_in_plugins_is_a_preau_error():
    import importlib
    import inspect
    import pkgutil

    import preau
    import preau_plugins

    classes = []
    for package in (preau, preau_plugins):
        for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in module_info.name or module_info.name.endswith(".wsgi"):
                continue
            module = importlib.import_module(module_info.name)
            classes += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                        if issubclass(cls, BaseException) and cls.__module__ == module.__name__
                        and not issubclass(cls, HTTPException)]  # an HTTP answer already (OriginRejected)
    assert len(classes) >= 40
    assert [cls.__qualname__ for cls in classes if not issubclass(cls, preau.PreauError)] == []


def test_a_preau_error_keeps_the_base_class_its_callers_catch():
    from preau import PreauError
    from preau.directory.structures import DirectoryError
    from preau.uploads import UploadError
    from preau_plugins.vie_scolaire.adapters import AdapterError

    assert issubclass(DirectoryError, ValueError) and issubclass(AdapterError, LookupError)
    error = UploadError("Fichier refusé.", 415, "type")
    assert isinstance(error, PreauError)
    assert (error.status, error.reason, str(error)) == (415, "type", "Fichier refusé.")
    assert str(PreauError("%(n)d%% au plus", n=5)) == "5% au plus" and str(PreauError("100 %")) == "100 %"
