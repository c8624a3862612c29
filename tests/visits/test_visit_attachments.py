"""Attachments of a visit: types checked by content, size limit, permission-checked downloads.

The visit: Paraguay hosts Uruguay; Brazil takes no part.
"""

import io
import zipfile
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from PIL import Image

from countries.models import Country
from tests.support.html import assert_no_inline_code, find, tags, text
from visits.attachments import check_upload
from visits.forms import AttachmentForm
from visits.models import Attachment, Delegation, Visit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 500
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
TEXT = "Notas de la visita a Asunción.\nSegunda línea.\n".encode()


def image(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, kind)
    return buffer.getvalue()


def package(*entries, first=None):
    """A zip file with the given (name, content) entries; ``first`` stored uncompressed first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1])  # ZipInfo: stored
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"></Types>'
)


def ooxml(folder, rels_first=False):
    entries = [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", "<Relationships/>")]
    if rels_first:
        entries.reverse()
    return package(*entries, (f"{folder}/main.xml", "<x/>"))


def odf(mimetype):
    return package(("content.xml", "<x/>"), first=("mimetype", mimetype))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root):
    return sorted(p.name for p in media_root.rglob("*") if p.is_file())


def new_visit(host="PY", guests=("UY",), title="Care services in the territory"):
    visit = Visit.objects.create(
        host_country=Country.objects.get(code=host),
        title=title,
        start_date=date(2024, 5, 6),
        end_date=date(2024, 5, 8),
        objectives="See how care services reach families.",
    )
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    for code in guests:
        Delegation.objects.create(visit=visit, country=Country.objects.get(code=code))
    return visit


@pytest.fixture
def visit(demo):
    return new_visit()


def upload_url(visit):
    return f"/visits/{visit.pk}/attachments/"


def upload(client, visit, name, content, kind="document", title="A file"):
    return client.post(
        upload_url(visit),
        {
            "attachment-kind": kind,
            "attachment-title": title,
            "attachment-file": SimpleUploadedFile(name, content),
        },
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def attach(visit, user, name="report.pdf", content=PDF, content_type="application/pdf"):
    """An attachment stored directly, as after an accepted upload."""
    attachment = Attachment(
        visit=visit,
        kind=Attachment.Kind.DOCUMENT,
        title=name,
        content_type=content_type,
        size=len(content),
        uploaded_by=user,
    )
    attachment.file.save(name, io.BytesIO(content), save=False)
    attachment.save()
    return attachment


# --- upload ----------------------------------------------------------------------------------


def test_upload_pdf(client, staff_py, visit, media_root):
    client.force_login(staff_py)
    response = upload(client, visit, "report.pdf", PDF, kind="agenda", title="Agenda signed")
    assert response.status_code == 302
    assert response["Location"] == f"{visit.get_absolute_url()}#attachments"
    assert messages_of(response) == ["“Agenda signed” was attached to the visit."]
    attachment = visit.attachments.get()
    assert (attachment.kind, attachment.title) == ("agenda", "Agenda signed")
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    assert attachment.uploaded_by == staff_py
    assert attachment.file.name == f"visits/{visit.pk}/report.pdf"
    assert (media_root / attachment.file.name).read_bytes() == PDF


def test_visiting_staff_upload_a_photo(client, staff_uy, visit):
    client.force_login(staff_uy)
    response = upload(client, visit, "group.png", image("PNG"), kind="photo")
    assert response.status_code == 302
    attachment = visit.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.uploaded_by == staff_uy


def test_title_defaults_to_the_file_name(client, staff_py, visit):
    client.force_login(staff_py)
    upload(client, visit, "Informe_final de la visita.pdf", PDF, title="")
    assert visit.attachments.get().title == "Informe final de la visita"


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("photo.jpg", image("JPEG"), "image/jpeg"),
        ("photo.JPEG", image("JPEG"), "image/jpeg"),
        ("photo.webp", image("WEBP"), "image/webp"),
        ("photo.gif", image("GIF"), "image/gif"),
        ("notes.txt", TEXT, "text/plain"),
        ("people.csv", b"name,country\nAna,PY\nJuan,UY\n", "text/csv"),
        ("people.csv", b"name;country\nAna;PY\n", "text/csv"),
        ("report.docx", ooxml("word"), "application/vnd.openxmlformats-officedocument."
         "wordprocessingml.document"),
        ("slides.pptx", ooxml("ppt"), "application/vnd.openxmlformats-officedocument."
         "presentationml.presentation"),
        # Packages whose first entries do not tell libmagic which kind they are.
        ("slides.pptx", ooxml("ppt", rels_first=True), "application/vnd.openxmlformats-"
         "officedocument.presentationml.presentation"),
        ("budget.xlsx", ooxml("xl", rels_first=True), "application/vnd.openxmlformats-"
         "officedocument.spreadsheetml.sheet"),
        ("minutes.odt", odf("application/vnd.oasis.opendocument.text"),
         "application/vnd.oasis.opendocument.text"),
        ("slides.odp", odf("application/vnd.oasis.opendocument.presentation"),
         "application/vnd.oasis.opendocument.presentation"),
        ("budget.ods", odf("application/vnd.oasis.opendocument.spreadsheet"),
         "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)  # fmt: skip
def test_accepted_types(name, content, content_type):
    form = AttachmentForm(
        {"attachment-kind": "document", "attachment-title": "A file"},
        {"attachment-file": SimpleUploadedFile(name, content)},
    )
    assert form.is_valid(), form.errors
    assert form.instance.content_type == content_type
    assert form.instance.size == len(content)


def refusal(client, visit, name, content):
    """Upload as the host's staff; the message of the refusal."""
    response = upload(client, visit, name, content)
    assert response.status_code == 302
    assert response["Location"] == f"{visit.get_absolute_url()}#attachments"
    assert not visit.attachments.exists()
    message = messages_of(response)[-1]
    assert message.startswith("The file was not attached. File: ")
    return message


def test_too_big(client, staff_py, visit, settings, media_root):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(staff_py)
    big = PDF + b"%" + b"0" * (1024 * 1024 + 1024 * 512)
    message = refusal(client, visit, "report.pdf", big)
    assert message.endswith("File: The file has 1.5 MB; files may have at most 1 MB.")
    assert stored_files(media_root) == []
    # A byte over the limit is refused too; right at the limit the file goes in.
    message = refusal(client, visit, "report.pdf", big[: 1024 * 1024 + 1])
    assert message.endswith("File: The file is a little over 1 MB, the most a file may have.")
    assert upload(client, visit, "report.pdf", big[: 1024 * 1024]).status_code == 302
    assert visit.attachments.count() == 1


def test_too_big_names_the_size(settings):
    settings.ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    form = AttachmentForm(
        {"attachment-kind": "document"},
        {"attachment-file": SimpleUploadedFile("big.pdf", PDF + b"0" * (21 * 1024 * 1024))},
    )
    assert not form.is_valid()
    assert form.errors["file"] == ["The file has 21.0 MB; files may have at most 20 MB."]


def test_disguised_executable(client, staff_py, visit, media_root):
    client.force_login(staff_py)
    message = refusal(client, visit, "report.pdf", EXECUTABLE)
    assert "ends in .pdf (PDF document) but its content is not of that type" in message
    assert "application/x-dosexec" in message
    assert "Accepted types: PDF document (.pdf), JPEG image (.jpg, .jpeg)" in message
    assert stored_files(media_root) == []


@pytest.mark.parametrize("name", ["drawing.svg", "logo.SVG"])
def test_svg_is_never_accepted(client, staff_py, visit, name):
    client.force_login(staff_py)
    message = refusal(client, visit, name, SVG_WITH_SCRIPT)
    assert "Files of type .svg are not accepted." in message
    assert ".svg" not in message.split("Accepted types:")[1]


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.png", SVG_WITH_SCRIPT),  # an SVG renamed .png
        ("photo.png", HTML),  # a web page renamed .png
        ("notes.txt", HTML),
        ("notes.txt", SVG_WITH_SCRIPT),
        ("report.docx", package(("readme.txt", "a plain zip"))),
        ("report.docx", ooxml("ppt")),  # a presentation named as a Word document
        ("setup.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000),  # no Word inside
        ("report.pdf", b"Just text pretending to be a PDF"),
    ],
)
def test_content_must_match_the_name(client, staff_py, visit, name, content):
    client.force_login(staff_py)
    message = refusal(client, visit, name, content)
    assert f"ends in .{name.rsplit('.', 1)[1]}" in message


def test_text_renamed_as_image_names_its_real_type(client, staff_py, visit):
    client.force_login(staff_py)
    message = refusal(client, visit, "photo.png", TEXT)
    assert (
        "The name of the file ends in .png (PNG image) but its content is of another type: "
        "plain text. Rename it to .txt, or choose the right file."
    ) in message


@pytest.mark.parametrize("name", ["setup.exe", "page.html", "archive.zip", "README"])
def test_other_types_are_refused_by_name(name):
    form = AttachmentForm(
        {"attachment-kind": "document", "attachment-title": "x"},
        {"attachment-file": SimpleUploadedFile(name, PDF)},
    )
    assert not form.is_valid()
    (error,) = form.errors["file"]
    assert "Accepted types: PDF document (.pdf)" in error


def test_empty_file_is_refused(client, staff_py, visit):
    client.force_login(staff_py)
    assert "The submitted file is empty." in refusal(client, visit, "report.pdf", b"")


def test_check_upload_reads_from_the_start_and_rewinds():
    upload_ = SimpleUploadedFile("photo.png", image("PNG"))
    upload_.read(10)
    assert check_upload(upload_).content_type == "image/png"
    assert upload_.tell() == 0


def test_upload_needs_a_file_and_a_kind(client, staff_py, visit):
    client.force_login(staff_py)
    response = client.post(upload_url(visit), {"attachment-title": "Nothing"})
    (message,) = messages_of(response)
    assert "Kind: This field is required." in message
    assert "File: This field is required." in message
    assert not visit.attachments.exists()


def test_upload_is_post_only(client, staff_py, visit):
    client.force_login(staff_py)
    assert client.get(upload_url(visit)).status_code == 405


@pytest.mark.parametrize("status", [Visit.Status.CLOSED, Visit.Status.CANCELLED])
def test_no_uploads_to_closed_visits(client, staff_py, visit, status):
    Visit.objects.filter(pk=visit.pk).update(status=status)
    client.force_login(staff_py)
    response = upload(client, visit, "report.pdf", PDF)
    assert response.status_code == 302
    assert "it can no longer be changed" in messages_of(response)[0]
    assert not visit.attachments.exists()


def test_who_may_not_upload(client, visit, staff_br, projectteam):
    assert upload(client, visit, "report.pdf", PDF)["Location"].startswith("/accounts/login/")
    client.force_login(staff_br)  # an uninvolved country does not see the visit
    assert upload(client, visit, "report.pdf", PDF).status_code == 404
    client.force_login(projectteam)  # reads everything, changes nothing
    assert upload(client, visit, "report.pdf", PDF).status_code == 403
    assert not visit.attachments.exists()


def test_coordinator_uploads_everywhere(client, coordinator, visit):
    client.force_login(coordinator)
    assert upload(client, visit, "report.pdf", PDF).status_code == 302
    assert visit.attachments.count() == 1


# --- download --------------------------------------------------------------------------------


def download_url(attachment, visit=None):
    return f"/visits/{(visit or attachment.visit).pk}/attachments/{attachment.pk}/"


def body(response):
    content = b"".join(response.streaming_content)
    response.close()
    return content


def test_download_pdf_inline(client, staff_uy, staff_py, visit):
    attachment = attach(visit, staff_py, "Informe final.pdf")
    client.force_login(staff_uy)
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="Informe_final.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private"
    assert response["Content-Length"] == str(len(PDF))
    assert body(response) == PDF


def test_download_office_files_as_attachments(client, staff_py, visit):
    content = ooxml("word")
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    attachment = attach(visit, staff_py, "Informe de la visita.docx", content, docx)
    client.force_login(staff_py)
    response = client.get(download_url(attachment))
    assert response["Content-Type"] == docx
    assert response["Content-Disposition"] == ('attachment; filename="Informe_de_la_visita.docx"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == content


def test_download_text_as_attachment(client, staff_py, visit):
    attachment = attach(visit, staff_py, "notas.txt", TEXT, "text/plain")
    client.force_login(staff_py)
    response = client.get(download_url(attachment))
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="notas.txt"'
    body(response)


def test_download_image_inline_with_accented_name(client, staff_py, visit):
    attachment = attach(visit, staff_py, "Asunción.png", image("PNG"), "image/png")
    client.force_login(staff_py)
    response = client.get(download_url(attachment))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''Asunci%C3%B3n.png"
    body(response)


@pytest.mark.parametrize("username", ["coordinator", "projectteam", "staff-py", "staff-uy"])
def test_who_may_download(client, django_user_model, staff_py, visit, username):
    attachment = attach(visit, staff_py)
    client.force_login(django_user_model.objects.get(username=username))
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    body(response)


def test_who_may_not_download(client, staff_br, staff_py, visit):
    attachment = attach(visit, staff_py)
    response = client.get(download_url(attachment))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(staff_br)
    assert client.get(download_url(attachment)).status_code == 404


def test_attachment_of_another_visit_is_not_found(client, staff_py, visit):
    # Both visits are Paraguay's: staff-py may see both, but not through the wrong visit.
    other = new_visit(title="Another visit")
    attachment = attach(other, staff_py)
    client.force_login(staff_py)
    assert client.get(download_url(attachment, visit=visit)).status_code == 404
    assert client.get(f"/visits/{visit.pk}/attachments/999999/").status_code == 404
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    body(response)


def test_missing_file_is_not_found(client, staff_py, visit, media_root):
    attachment = attach(visit, staff_py)
    (media_root / attachment.file.name).unlink()
    client.force_login(staff_py)
    assert client.get(download_url(attachment)).status_code == 404


def test_media_is_not_served_by_url(client, staff_py, visit, settings):
    attachment = attach(visit, staff_py)
    client.force_login(staff_py)
    assert client.get(f"/{settings.MEDIA_URL}{attachment.file.name}").status_code == 404


# --- delete ----------------------------------------------------------------------------------


def delete_url(attachment):
    return f"{download_url(attachment)}delete/"


def test_coordinator_deletes(
    client, coordinator, staff_py, visit, media_root, django_capture_on_commit_callbacks
):
    attachment = attach(visit, staff_py)
    path = media_root / attachment.file.name
    assert path.exists()
    client.force_login(coordinator)
    # First a page that says it cannot be undone; unconfirmed, nothing is deleted.
    assert "This cannot be undone." in text(client.get(delete_url(attachment)))
    assert "nothing was done" in text(client.post(delete_url(attachment)))
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(attachment), {"confirmed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"{visit.get_absolute_url()}#attachments"
    assert messages_of(response) == ["“report.pdf” was deleted."]
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()


@pytest.mark.parametrize("username", ["staff-py", "staff-uy", "projectteam"])
def test_only_coordinators_delete(client, django_user_model, staff_py, visit, media_root, username):
    attachment = attach(visit, staff_py)
    client.force_login(django_user_model.objects.get(username=username))
    assert client.get(delete_url(attachment)).status_code == 403
    assert client.post(delete_url(attachment), {"confirmed": "yes"}).status_code == 403
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert (media_root / attachment.file.name).exists()


def test_delete_checks_the_visit(client, coordinator, staff_py, visit):
    attachment = attach(visit, staff_py)
    other = new_visit(title="Another visit")
    client.force_login(coordinator)
    wrong = f"/visits/{other.pk}/attachments/{attachment.pk}/delete/"
    assert client.get(wrong).status_code == 404
    assert client.post(wrong, {"confirmed": "yes"}).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_uninvolved_staff_cannot_delete(client, staff_br, staff_py, visit):
    attachment = attach(visit, staff_py)
    client.force_login(staff_br)
    assert client.post(delete_url(attachment), {"confirmed": "yes"}).status_code == 404


# --- the section of the visit page -----------------------------------------------------------


def section(rf, user, visit, may_upload, may_delete):
    request = rf.get(visit.get_absolute_url())
    request.user = user
    return render_to_string(
        "visits/attachments_section.html",
        {
            "visit": visit,
            "attachments": visit.attachments.select_related("uploaded_by"),
            "attachment_form": AttachmentForm() if may_upload else None,
            "may_delete_attachments": may_delete,
        },
        request=request,
    )


def test_section_for_the_coordinator(rf, coordinator, staff_py, visit):
    attachment = attach(visit, staff_py)
    html = section(rf, coordinator, visit, may_upload=True, may_delete=True)
    found = tags(html)
    links = [attrs["href"] for tag, attrs, _text in found if tag == "a"]
    assert download_url(attachment) in links
    assert delete_url(attachment) in links  # to the page that confirms it
    forms = [attrs for tag, attrs, _text in found if tag == "form"]
    upload_form = forms[0]
    assert upload_form["action"] == upload_url(visit)
    assert upload_form["enctype"] == "multipart/form-data"
    names = {attrs.get("name") for tag, attrs, _text in found if tag in ("input", "select")}
    assert {"attachment-kind", "attachment-title", "attachment-file"} <= names
    (file_input,) = [a for t, a, _x in found if t == "input" and a.get("type") == "file"]
    assert ".pdf" in file_input["accept"] and ".svg" not in file_input["accept"]
    assert "María José Giménez" in html  # the uploader
    assert "At most 20 MB." in html


def test_section_for_readers(rf, projectteam, staff_py, visit):
    attachment = attach(visit, staff_py)
    html = section(rf, projectteam, visit, may_upload=False, may_delete=False)
    assert download_url(attachment) in html
    assert delete_url(attachment) not in html
    assert 'enctype="multipart/form-data"' not in html
    assert not [attrs for tag, attrs, _text in tags(html) if tag == "form"]


def test_section_without_attachments(rf, staff_py, visit):
    html = section(rf, staff_py, visit, may_upload=True, may_delete=False)
    assert "No files are attached to this visit yet." in html


def test_the_visit_page_includes_the_section(client, coordinator, staff_py, visit):
    attachment = attach(visit, staff_py)
    client.force_login(coordinator)
    response = client.get(visit.get_absolute_url())
    assert response.status_code == 200
    assert find(response, "a", href=download_url(attachment))
    assert find(response, "a", href=delete_url(attachment))
    assert find(response, "form", action=upload_url(visit), enctype="multipart/form-data")
    ids = [attrs["id"] for _tag, attrs, _text in tags(response) if "id" in attrs]
    assert ids.count("attachments") == 1
    assert ids.count("attachments-heading") == 1
    assert_no_inline_code(response)
