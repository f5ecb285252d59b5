"""The directory export to the GAR: every file validates against our XSD (second and first degree), the
schema really rejects broken documents, identifiers are stable and only people who may use the GAR go."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import pytest
from lxml import etree

from preau.models import AccountState
from preau_plugins.gar.cli import export_by_uai
from preau_plugins.gar.export import (
    FILE_KINDS,
    NS_1D,
    NS_2D,
    GarExportError,
    export_structure,
    person_identifier,
    schema_for,
)

STAMP = datetime(2026, 11, 23, 18, 5, 0)


def _export(db, school, tmp_path, ent_id="ENTTEST"):
    return export_structure(db, school.structure, tmp_path, ent_id=ent_id, now=STAMP)


def _by_kind(result):
    return {kind: etree.parse(str(path)) for kind, path in zip(FILE_KINDS, result.files, strict=True)}


def test_every_file_of_a_college_validates_against_the_second_degree_schema(db, college, tmp_path):
    result = _export(db, college, tmp_path)
    schema = schema_for("2d")
    assert result.degree == "2d" and len(result.files) == 5
    for path in result.files:
        document = etree.parse(str(path))
        assert schema.validate(document), f"{path.name}: {schema.error_log}"
        assert document.getroot().get("Version") == "1.0"
        assert etree.QName(document.getroot()).namespace == NS_2D


def test_every_file_of_an_ecole_validates_against_the_first_degree_schema(db, ecole, tmp_path):
    result = _export(db, ecole, tmp_path)
    schema = schema_for("1d")
    assert result.degree == "1d"
    for path in result.files:
        document = etree.parse(str(path))
        assert schema.validate(document), f"{path.name}: {schema.error_log}"
        assert etree.QName(document.getroot()).namespace == NS_1D


def test_the_files_are_named_as_the_gar_expects(db, college, tmp_path):
    names = [path.name for path in _export(db, college, tmp_path).files]
    assert names == [f"ENTTEST_GAR-ENT-{kind}_0350042K_20261123_180500_0000.xml" for kind in FILE_KINDS]


def test_the_college_files_hold_its_people_groups_and_responsable(db, college, tmp_path):
    files = _by_kind(_export(db, college, tmp_path))
    ns = {"g": NS_2D}
    student_id = person_identifier("ENTTEST", college.student.id)
    assert files["Eleve"].xpath("//g:GAREleve/g:GARPersonIdentifiant/text()", namespaces=ns) == [student_id]
    assert files["Eleve"].xpath("//g:GAREleve/g:GARPersonDateNaissance/text()", namespaces=ns) == ["2015-05-05"]
    profiles = {p: files["Enseignant"].xpath(
        f"//g:GAREnseignant[g:GARPersonIdentifiant='{person_identifier('ENTTEST', p)}']"
        "/g:GARPersonProfils/g:GARPersonProfil/text()", namespaces=ns)
        for p in (college.teacher.id, college.admin.id)}
    assert profiles == {college.teacher.id: ["National_ENS"], college.admin.id: ["National_DOC"]}
    groups = {g.findtext(f"{{{NS_2D}}}GARGroupeLibelle"): g.findtext(f"{{{NS_2D}}}GARGroupeStatut")
              for g in files["Groupe"].getroot().iter(f"{{{NS_2D}}}GARGroupe")}
    assert groups == {"6e B": "DIVISION", "ULIS": "GROUPE"}
    members = files["Groupe"].xpath(f"//g:GARPersonGroupe[g:GARPersonIdentifiant='{student_id}']"
                                    "/g:GARGroupeCode/text()", namespaces=ns)
    assert len(members) == 2  # the class and the ULIS group
    assert files["RespAff"].xpath("//g:GARRespAff/g:GARPersonMail/text()", namespaces=ns) == [
        "sonia.staff@example.org"]
    # Nobody else: parents and guests do not go to the GAR.
    assert len(files["Eleve"].getroot()) == 1 and len(files["Enseignant"].getroot()) == 2


def test_the_schema_rejects_a_missing_element_and_an_element_out_of_order(db, college, tmp_path):
    schema = schema_for("2d")
    path = _export(db, college, tmp_path).files[FILE_KINDS.index("Eleve")]
    missing = etree.parse(str(path))
    surname = missing.find(f".//{{{NS_2D}}}GARPersonNom")
    surname.getparent().remove(surname)
    assert not schema.validate(missing)
    assert "GARPersonNom" in str(schema.error_log)
    swapped = etree.parse(str(path))
    first = swapped.find(f".//{{{NS_2D}}}GARPersonPrenom")
    first.getparent().remove(first)
    swapped.find(f".//{{{NS_2D}}}GARPersonIdentifiant").addnext(first)
    assert not schema.validate(swapped)
    unversioned = etree.parse(str(path))
    del unversioned.getroot().attrib["Version"]
    assert not schema.validate(unversioned)


def test_identifiers_are_stable_across_two_exports(db, college, tmp_path):
    first = _export(db, college, tmp_path / "a")
    second = export_structure(db, college.structure, tmp_path / "b", ent_id="ENTTEST", now=datetime(2027, 1, 1))

    def ids(result):
        return sorted(etree.parse(str(p)).xpath("//*[local-name()='GARPersonIdentifiant']/text()")
                      + etree.parse(str(p)).xpath("//*[local-name()='GARGroupeCode']/text()")
                      for p in result.files)

    assert ids(first) == ids(second)
    assert re.fullmatch(r"[0-9a-f-]{36}", person_identifier("ENTTEST", college.student.id))


def test_only_accounts_that_may_use_the_gar_are_exported(db, college, tmp_path):
    college.student.state = AccountState.INACTIVE  # waiting for activation: still provisioned
    college.teacher.state = AccountState.PRE_DELETED
    db.flush()
    files = _by_kind(_export(db, college, tmp_path))
    ids = set(files["Enseignant"].xpath("//*[local-name()='GARPersonIdentifiant']/text()"))
    assert person_identifier("ENTTEST", college.teacher.id) not in ids
    assert len(files["Eleve"].getroot()) == 1
    assert schema_for("2d").validate(files["Groupe"])


def test_a_responsable_without_email_is_left_out_and_named(db, college, tmp_path):
    college.staff.email = None
    db.flush()
    result = _export(db, college, tmp_path)
    assert len(_by_kind(result)["RespAff"].getroot()) == 0
    assert any("Sonia Staff" in line for line in result.skipped)


def test_a_structure_without_uai_or_not_a_school_is_refused(db, college, tmp_path):
    college.city.uai = "0359999X"
    with pytest.raises(GarExportError, match="n'est pas un établissement"):
        export_structure(db, college.city, tmp_path, ent_id="X")
    college.structure.uai = None
    with pytest.raises(GarExportError, match="UAI"):
        export_structure(db, college.structure, tmp_path, ent_id="X")


def test_the_cli_export_finds_the_structure_by_uai_and_uses_the_ent_identifier(app, db, college, tmp_path):
    structure, result = export_by_uai(db, "0350042k", tmp_path)
    assert structure.id == college.structure.id
    assert all(path.name.startswith("PREAU_GAR-ENT-") and path.exists() for path in result.files)
    with pytest.raises(GarExportError, match="Aucun établissement"):
        export_by_uai(db, "9999999Z", tmp_path)


def test_an_administrator_downloads_the_file_set_as_a_zip(client, login_as, college):
    response = login_as(college.admin).get(f"/apps/gar/export/{college.structure.id}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert sorted(n.split("_")[1] for n in names) == sorted(f"GAR-ENT-{k}" for k in FILE_KINDS)


def test_the_schools_administration_page_links_to_the_export_through_the_gar_plugins_slot(db, login_as, college):
    page = login_as(college.admin).get(f"/admin/structures/{college.structure.id}").get_data(as_text=True)
    assert f'href="/apps/gar/export/{college.structure.id}.zip"' in page
    assert "Export de l'annuaire vers le GAR (Médiacentre, fichiers XML)</a>" in page


def test_the_export_link_is_gone_where_the_gar_is_not_enabled_or_the_school_has_no_uai(db, login_as, college):
    from preau.rights import set_enabled

    client = login_as(college.admin)
    set_enabled(db, college.structure, "gar", False)
    db.flush()
    assert "/apps/gar/export/" not in client.get(f"/admin/structures/{college.structure.id}").get_data(as_text=True)
    set_enabled(db, college.structure, "gar", True)
    college.structure.uai = None
    db.flush()
    assert "/apps/gar/export/" not in client.get(f"/admin/structures/{college.structure.id}").get_data(as_text=True)


def test_a_teacher_or_another_schools_admin_cannot_download_the_export(db, client, login_as, college, ecole):
    assert login_as(college.teacher).get(f"/apps/gar/export/{college.structure.id}.zip").status_code == 403
    client.get("/auth/logout")
    assert login_as(ecole.admin).get(f"/apps/gar/export/{college.structure.id}.zip").status_code == 403


def test_the_cli_designates_a_responsable_only_among_the_schools_members(db, college, ecole):
    from preau_plugins.gar.cli import designate_responsable
    from preau_plugins.gar.services import is_responsable

    assert designate_responsable(db, "0350042K", college.teacher.login) == college.teacher.display_name
    assert is_responsable(db, college.teacher, college.structure.id)
    with pytest.raises(GarExportError, match="aucun rôle"):
        designate_responsable(db, "0350042K", ecole.teacher.login)
    assert not is_responsable(db, ecole.teacher, college.structure.id)
