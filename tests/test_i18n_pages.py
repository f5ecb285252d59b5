"""Every page of every built-in plugin, in English: no French msgid left untranslated, and no French-looking
text that no catalogue knows (user content — names, messages, news of the demo — excepted).

The demo académie is built in the test's transaction; each demo account chooses English, then the crawler
opens the dashboard, each widget, "Mes Applis", the administration pages that list the apps, and every GET
page of the built-in plugins without arguments, and follows the links to plugin pages it finds (one page per
route and person). A route of a built-in plugin that no account reaches is reported too.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from html import unescape
from html.parser import HTMLParser
from importlib.metadata import entry_points
from urllib.parse import urlencode, urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import JSON, String, Text, select

from preau import Model
from preau.demo import ensure_demo
from preau.models import Structure, User

from .test_i18n import tool

USERS = ("direction", "prof.martin", "eleve.lea", "parent.colin", "personnel.durand", "invite.roux", "admin",
         "prof.bernard")
PER_ROUTE = 1  # pages opened per route and person: each template once per account, with real data
ACCENTED = re.compile(r"[àâäçéèêëîïôöùûüÿœæ]", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+")
# Common French words that are not English words: a text holding one reads as French.
FRENCH_WORDS = {"le", "la", "les", "des", "du", "une", "est", "et", "pour", "avec", "vous", "votre", "vos", "aucun",
                "aucune", "dans", "sur", "pas", "cette", "ces", "qui", "que", "sont", "nous", "aux", "au", "ou",
                "mes", "mon", "leur", "leurs", "ne", "sans", "tous", "toutes", "depuis", "jusqu", "ici", "rien"}
# Shown in French on purpose: the language selector names each language in that language.
ON_PURPOSE = {"Français"}
# Routes no link reaches in the demo, or whose answer is not a page (files, redirects to other sites).
NOT_PAGES = {"actualites.image", "actualites.public_item", "cahier.attachment", "cahier.workload_json",
             "carnet.export", "elea.export_download", "gar.export_zip", "gar.launch", "messaging.download",
             "messaging.recipients", "timetable.feed", "oidc.discovery", "oidc.jwks", "oidc.userinfo",
             # the LTI protocol's endpoints (tools and browsers on their way to a tool call them) and launches
             "lti13.auth", "lti13.jwks", "lti13.nrps", "lti13.line_items", "lti13.line_item", "lti13.results",
             "lti13.launch_link", "lti13.deep_link_start"}
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-title", "data-confirm", "data-label"}


class _Texts(HTMLParser):
    """The text a person reads on a page: text nodes, and the attributes shown as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        shown = {name: value for name, value in attrs if name in ATTRIBUTES and value}
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            shown["value"] = values["value"]
        self.texts += shown.values()

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.texts.append(data)


class Catalogues:
    """Every msgid of every catalogue, with its English translation."""

    def __init__(self) -> None:
        self.english: dict[str, str] = {}
        for component in tool.components():
            with open(component.po("en"), "rb") as po:
                for message in read_po(po):
                    if message.id and message.string:
                        strings = message.string if isinstance(message.string, tuple) else (message.string,)
                        for msgid, string in zip(message.id if isinstance(message.id, tuple) else (message.id,),
                                                 strings, strict=False):
                            self.english.setdefault(msgid, string)
        self.english_words = {w.lower() for text in self.english.values() for w in WORD.findall(text)}
        self.english_texts = set(self.english.values())
        self.patterns = [(msgid, re.compile(
            ".*?".join(re.escape(part) for part in tool.PLACEHOLDER.split(msgid)), re.DOTALL))
            for msgid, string in self.english.items() if tool.PLACEHOLDER.search(msgid) and string != msgid]

    def untranslated(self, text: str) -> str | None:
        """The msgid this text is, untranslated, if any."""
        if text in self.english and self.english[text] != text:
            return text
        return next((msgid for msgid, pattern in self.patterns if pattern.fullmatch(text)), None)

    def french_words(self, text: str) -> list[str]:
        return [w for w in WORD.findall(text) if (ACCENTED.search(w) or w.lower() in FRENCH_WORDS)
                and w.lower() not in self.english_words]


class UserContent:
    """The texts people wrote or other systems sent (names, messages, news, resources…): every string stored
    in the database, plus ``extra`` (what stands for another system's data, the labels of plugins that are not
    built in)."""

    def __init__(self, session, extra: Iterable[str] = ()) -> None:
        values: set[str] = set()
        for table in Model.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if columns:
                for row in session.execute(select(*columns)):
                    for value in _strings_in(tuple(row)):
                        values |= _texts_of(value)
        for value in extra:
            values |= _texts_of(value)
        self.values = {v for v in values if len(v) > 1}
        self.joined = "\x00".join(sorted(self.values))
        self.by_first_word: dict[str, list[str]] = {}
        for value in self.values:
            words = WORD.findall(value)
            if words:
                self.by_first_word.setdefault(words[0], []).append(value)

    def strip(self, text: str) -> str:
        """``text`` without the stored values it contains, longest first ("Jules-Ferry" before "Jules")."""
        candidates = {value for word in WORD.findall(text) for value in self.by_first_word.get(word, ())}
        for value in sorted(candidates, key=len, reverse=True):
            text = text.replace(value, " ")
        return text

    def holds(self, text: str) -> bool:
        """Whether ``text`` is a piece of something stored (a title cut with "…", a name)."""
        core = text.strip(" ….")
        return len(core) > 3 and core in self.joined


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)


def _texts_of(value: str) -> set[str]:
    """A stored string as pages may show it: as it is, unescaped, and the texts of its HTML."""
    texts = {_normalised(value), _normalised(unescape(value))}
    if "<" in value:
        parser = _Texts()
        parser.feed(value)
        texts |= {_normalised(text) for text in parser.texts}
    return {text for text in texts if text}


def _outside_texts(app) -> list[str]:
    """Texts that are data, not the interface: the demo sources of school life and of the GAR's resources (they
    stand for Pronote's and the GAR's data), the editors' names, and everything the plugins that are not built
    in (tests' fixtures, plugin_template) show: they have no catalogue here."""
    from preau_plugins.gar import adapters as gar
    from preau_plugins.vie_scolaire import adapters

    texts = [*adapters.DEMO_SUBJECTS, *adapters._COMMENTS, *adapters._ABSENCE_REASONS,
             *(text for row in (*adapters._SKILLS, *adapters._PUNISHMENTS) for text in row),
             *(text for resource in gar._DEMO for text in _strings_in(resource))]  # the GAR's catalogue
    builtin = {ep.name for ep in entry_points(group="preau.plugins") if ep.value.startswith("preau_plugins.")}
    for record in app.extensions["preau.plugins"].records.values():
        if record.manifest is not None:
            texts.append(record.manifest.editor)
        if record.name in builtin:
            continue
        if record.manifest is not None:
            texts += [record.manifest.name, record.manifest.description, record.manifest.id.capitalize()]
        texts += [r.label for r in record.rights] + [w.title for w in record.widgets]
        texts += [m.label for m in record.menu_items] + [c.name for c in record.connectors]
        texts += [str(spec.label) for spec in record.settings]
    return texts


def _builtin_blueprints(app) -> dict[str, str]:
    """Blueprint name → app id of the built-in plugins."""
    builtin = {ep.name for ep in entry_points(group="preau.plugins") if ep.value.startswith("preau_plugins.")}
    registry = app.extensions["preau.plugins"]
    return {bp.name: record.app_id for record in registry.active() if record.name in builtin
            for bp in record.blueprints}


class Crawl:
    def __init__(self, app, client, catalogues, content):
        self.app, self.client, self.catalogues, self.content = app, client, catalogues, content
        self.adapter = app.url_map.bind("localhost")
        self.blueprints = _builtin_blueprints(app)
        self.problems: dict[str, str] = {}  # problem → first page where it was seen
        self.reached: set[str] = set()

    def endpoint_of(self, url: str) -> str | None:
        try:
            endpoint, _ = self.adapter.match(urlsplit(url).path, method="GET")
        except Exception:  # noqa: BLE001 - a link outside the app (404, redirect, another method)
            return None
        return endpoint

    def plugin_routes(self) -> list[str]:
        return [rule.endpoint for rule in self.app.url_map.iter_rules()
                if "GET" in (rule.methods or ()) and rule.endpoint.split(".")[0] in self.blueprints
                and not rule.endpoint.endswith(".static")]

    def run(self, login: str, starts: list[str]) -> None:
        opened: Counter[str] = Counter()
        queue, seen = deque(starts), set()
        while queue:
            url = queue.popleft()
            endpoint = self.endpoint_of(url)
            if url in seen or endpoint is None or opened[endpoint] >= PER_ROUTE:
                continue
            seen.add(url)
            opened[endpoint] += 1
            response = self.client.get(url)
            if response.status_code in (301, 302, 303) and not urlsplit(response.location).netloc:
                self.reached.add(endpoint)  # a route that sends to the right page (an index, a default box)
                queue.append(response.location)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            self.reached.add(endpoint)
            page = _Texts()
            page.feed(response.get_data(as_text=True))
            self.check(f"{login} {url}", page.texts)
            for href in page.links:
                target = urlsplit(href)
                linked = self.endpoint_of(href) if not target.netloc else None
                if linked and linked.split(".")[0] in self.blueprints:
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))

    def check(self, where: str, texts: list[str]) -> None:
        for raw in texts:
            text = _normalised(raw)
            if not text or text in ON_PURPOSE or text in self.content.values or text in self.catalogues.english_texts:
                continue
            if not self.catalogues.french_words(text):
                continue
            msgid = self.catalogues.untranslated(text)
            if msgid is not None:
                self.problems.setdefault(f"untranslated msgid {msgid!r}", where)
            elif self.catalogues.french_words(self.content.strip(text)) and not self.content.holds(text):
                self.problems.setdefault(f"French text in no catalogue: {text!r}", where)


@pytest.fixture
def demo(db):
    ensure_demo()
    return db


def _open_everything(app, db, client, enable_plugin) -> dict[str, list[str]]:
    """What the demo lacks for some pages: every built-in app enabled in both schools (with its default
    grants), read receipts on, a mail folder. Returns the pages only a URL reaches, by account."""
    from preau_plugins.messaging.models import Message, MessageState
    from preau_plugins.timetable.models import Lesson

    apps = {record.app_id for record in app.extensions["preau.plugins"].apps()}  # services are not enabled
    builtin = set(_builtin_blueprints(app).values()) & apps
    schools = db.scalars(select(Structure).where(Structure.uai.in_(("0921234A", "0925678B")))).all()
    for school in schools:
        for app_id in sorted(builtin):
            enable_plugin(app_id, school)
    db.commit()
    ferry = next(s for s in schools if s.uai == "0921234A")
    _login(client, "direction")
    assert client.post_form(f"/apps/messaging/admin/safeguards/{ferry.id}", {"read_receipts": "on"}).status_code == 302
    _login(client, "prof.martin")
    assert client.post_form("/apps/messaging/folders", {"name": "Sorties scolaires"}).status_code == 302
    martin = db.scalars(select(User.id).where(User.login == "prof.martin")).one()
    sent = db.scalars(select(Message.id).where(Message.sender_id == martin, Message.state == MessageState.SENT)
                      .order_by(Message.id)).first()
    lesson = db.scalars(select(Lesson.id).order_by(Lesson.id)).first()
    tool = _register_lti_tool(app, db, ferry)
    return {"personnel.durand": [f"/apps/timetable/cours/{lesson}"],
            "direction": [f"/apps/lti/structures/{ferry.id}/tools/{tool}"],
            "prof.martin": [f"/apps/messaging/message/{sent}/receipts"],
            "parent.colin": [f"/apps/actualites/public/{ferry.uai}"],
            "eleve.lea": [_authorization_request(db)]}


def _authorization_request(db) -> str:
    """An OpenID Connect client's request: the consent page a person reads."""
    from preau_plugins.oidc.service import register_client

    client, _secret = register_client(db, name="Pix", redirect_uris=["https://pix.example/cb"], confidential=False,
                                      scopes=["openid", "profile", "email"])
    db.commit()
    query = urlencode({"client_id": client.client_id, "response_type": "code", "redirect_uri": "https://pix.example/cb",
                       "scope": "openid profile email", "code_challenge": "a" * 43, "code_challenge_method": "S256"})
    return f"/oauth/authorize?{query}"


def _register_lti_tool(app, db, school) -> int:
    """Éléa opened by LTI 1.3 in a school: its tool registered, so that its classes have online activities."""
    from preau.settings import store_setting
    from preau_plugins.lti.tools import ToolForm, register_tool

    store_setting("elea", "instance", "paris-est", structure_id=school.id, session=db)
    base = "https://paris-est.elea.apps.education.fr/lti"
    tool = register_tool(db, school, ToolForm(name="Éléa", launch_key="plugin:elea.lti13", login_url=f"{base}/login",
                                              target_link_uri=f"{base}/launch", redirect_uris=[f"{base}/launch"],
                                              jwks_url=f"{base}/jwks", deep_link_url=f"{base}/deep"))
    db.commit()
    return tool.id


def _login(client, login: str) -> None:
    client.get("/auth/logout")
    assert client.post_form("/auth/login", {"login": login, "password": "demo"}).status_code == 302, login


def _starts(app, db, crawl: Crawl, user: User) -> list[str]:
    starts = ["/", "/apps"]
    client = crawl.client
    dashboard = client.get("/").get_data(as_text=True)
    starts += [f"/portal/widgets/{widget}" for widget in re.findall(r'data-widget="([^"]+)"', dashboard)]
    starts += [crawl.adapter.build(endpoint, {}) for endpoint in sorted(set(crawl.plugin_routes()))
               if not any(rule.arguments for rule in app.url_map.iter_rules(endpoint))]
    for role in user.roles:
        starts.append(f"/admin/structures/{role.structure_id}/apps")
        starts.append(f"/admin/structures/{role.structure_id}")  # the plugins' links (flash messages)
    return starts


def test_every_plugin_page_reads_in_english(app, client, demo, enable_plugin):
    extra = _open_everything(app, demo, client, enable_plugin)
    catalogues, content = Catalogues(), UserContent(demo, _outside_texts(app))
    crawl = Crawl(app, client, catalogues, content)
    for login in USERS:
        user = demo.scalars(select(User).where(User.login == login)).one()
        _login(client, login)
        client.post_form("/lang", {"lang": "en"})
        assert '<html lang="en">' in client.get("/").get_data(as_text=True)
        crawl.run(login, extra.get(login, []) + _starts(app, demo, crawl, user))  # the URL-only pages first
    unreached = sorted(set(crawl.plugin_routes()) - crawl.reached - NOT_PAGES)
    assert not unreached, f"routes of built-in plugins no demo account reached: {unreached}"
    assert not crawl.problems, f"{len(crawl.problems)} problem(s) on the English pages:\n" + "\n".join(
        f"{problem}  [{where}]" for problem, where in sorted(crawl.problems.items()))


def test_the_crawler_sees_an_untranslated_msgid_and_french_text_but_not_user_content(demo):
    catalogues, content = Catalogues(), UserContent(demo)
    crawl = Crawl.__new__(Crawl)
    crawl.catalogues, crawl.content, crawl.problems = catalogues, content, {}
    ferry = demo.scalars(select(Structure.name).where(Structure.uai == "0921234A")).one()
    crawl.check("test", ["Mes Applis", "My Apps", "Le club est fermé aujourd'hui.", ferry, "Léa Colin",
                         "Welcome to Préau", "Français"])
    assert set(crawl.problems) == {"untranslated msgid 'Mes Applis'",
                                   "French text in no catalogue: \"Le club est fermé aujourd'hui.\""}
