"""
Attachments of visits: which files are accepted (AttachmentForm in visits/forms.py asks).

A file is accepted when its *content* is of an allowed type (libmagic, through
python-magic) and its name ends with an extension of that same type: an
executable renamed ``report.pdf`` or a web page renamed ``photo.png`` is
refused, and so is SVG, which can carry scripts. The size limit is
``settings.ATTACHMENT_MAX_BYTES``.
"""

import os
import zipfile
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# libmagic looks at the beginning of a file; 8 KB is enough for every type below
# except the compound files of Office 97–2003, which are read whole when needed.
SNIFF_BYTES = 8 * 1024

OOXML = "application/vnd.openxmlformats-officedocument"
ODF = "application/vnd.oasis.opendocument"
# What libmagic says of an Office 97–2003 file when it cannot tell which program made it.
OLE_GENERIC = {"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office"}


@dataclass(frozen=True)
class FileType:
    label: str
    extensions: tuple
    content_type: str  # stored with the attachment and sent when it is downloaded
    detected: frozenset  # what libmagic may answer for such a file
    # Shown in the browser rather than saved: images and PDF only.
    inline: bool = False
    # Office Open XML: the folder of the zip package that makes it this kind of document,
    # for packages whose first entries do not let libmagic tell.
    ooxml_folder: str = ""
    # Office 97–2003 compound file: read it whole when its beginning is not conclusive.
    ole: bool = False


def _type(label, extensions, content_type, *also_detected, **options):
    return FileType(
        label, extensions, content_type, frozenset({content_type, *also_detected}), **options
    )


ALLOWED_TYPES = (
    _type(_("PDF document"), ("pdf",), "application/pdf", inline=True),
    _type(_("JPEG image"), ("jpg", "jpeg"), "image/jpeg", inline=True),
    _type(_("PNG image"), ("png",), "image/png", inline=True),
    _type(_("WebP image"), ("webp",), "image/webp", inline=True),
    _type(_("GIF image"), ("gif",), "image/gif", inline=True),
    _type(
        _("PowerPoint presentation"),
        ("pptx",),
        f"{OOXML}.presentationml.presentation",
        ooxml_folder="ppt/",
    ),
    _type(
        _("PowerPoint 97–2003 presentation"),
        ("ppt",),
        "application/vnd.ms-powerpoint",
        ole=True,
    ),
    _type(
        _("Word document"),
        ("docx",),
        f"{OOXML}.wordprocessingml.document",
        ooxml_folder="word/",
    ),
    _type(_("Word 97–2003 document"), ("doc",), "application/msword", ole=True),
    _type(
        _("Excel spreadsheet"),
        ("xlsx",),
        f"{OOXML}.spreadsheetml.sheet",
        ooxml_folder="xl/",
    ),
    _type(_("OpenDocument text"), ("odt",), f"{ODF}.text"),
    _type(_("OpenDocument presentation"), ("odp",), f"{ODF}.presentation"),
    _type(_("OpenDocument spreadsheet"), ("ods",), f"{ODF}.spreadsheet"),
    _type(_("plain text"), ("txt",), "text/plain", "text/csv"),
    # libmagic recognises CSV only when it is comma-separated and regular enough.
    _type(_("CSV table"), ("csv",), "text/csv", "text/plain", "application/csv"),
)

TYPE_BY_EXTENSION = {ext: file_type for file_type in ALLOWED_TYPES for ext in file_type.extensions}
INLINE_CONTENT_TYPES = frozenset(t.content_type for t in ALLOWED_TYPES if t.inline)


def accepted_types_text():
    """ "PDF document (.pdf), JPEG image (.jpg, .jpeg), …" in the active language."""
    return ", ".join(
        "{} ({})".format(file_type.label, ", ".join(f".{ext}" for ext in file_type.extensions))
        for file_type in ALLOWED_TYPES
    )


def accept_attribute():
    """The value of the file input's ``accept`` attribute: a hint for the browser's picker."""
    return ",".join(f".{ext}" for ext in TYPE_BY_EXTENSION)


MB = 1024 * 1024


def max_megabytes():
    """The size limit in MB, as a localised number ("20", "0,5")."""
    return floatformat(settings.ATTACHMENT_MAX_BYTES / MB, -1)


def _megabytes_over_limit(size):
    """The size in MB with as few decimals as show that it is above the limit ("20.4")."""
    megabytes, limit = size / MB, settings.ATTACHMENT_MAX_BYTES / MB
    for decimals in (1, 2):
        if round(megabytes, decimals) > limit:
            return floatformat(megabytes, decimals)
    return None


def extension_of(name):
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _read(upload, size=None):
    upload.seek(0)
    data = upload.read() if size is None else upload.read(size)
    upload.seek(0)
    return data


def _ooxml_package_has(upload, folder):
    """True when the upload is a zip package of Office Open XML with ``folder`` in it."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)


# A zip package (Office Open XML, OpenDocument) may expand to at most this many times the
# largest file accepted: more is a "zip bomb", built to exhaust whoever opens it.
MAX_EXPANSION = 10


def _expanded_size(upload):
    """What the members of a zip upload add up to once expanded (None: not a zip)."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            return sum(member.file_size for member in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)


def detect_type(upload):
    """What the content of the upload is, according to libmagic (a MIME type)."""
    return magic.from_buffer(_read(upload, SNIFF_BYTES), mime=True)


def content_matches(upload, file_type, detected):
    """True when the content of the upload is of ``file_type``."""
    if detected in file_type.detected:
        return True
    if file_type.ooxml_folder and detected == "application/zip":
        return _ooxml_package_has(upload, file_type.ooxml_folder)
    if file_type.ole and detected in OLE_GENERIC:
        # The directory of a compound file is often past the first kilobytes: read it all
        # (at most ATTACHMENT_MAX_BYTES) to know which program wrote it.
        whole = magic.from_buffer(_read(upload), mime=True)
        return whole in file_type.detected or whole == "application/vnd.ms-office"
    return False


def _type_of_content(detected):
    """The allowed type whose usual detection is ``detected``, if any (for a hint)."""
    for file_type in ALLOWED_TYPES:
        if detected == file_type.content_type:
            return file_type
    return None


def check_upload(upload):
    """The :class:`FileType` of the upload; ValidationError naming the problem otherwise."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        size = _megabytes_over_limit(upload.size)
        if size:
            message = gettext("The file has %(size)s MB; files may have at most %(limit)s MB.")
        else:
            message = gettext("The file is a little over %(limit)s MB, the most a file may have.")
        raise ValidationError(message % {"size": size, "limit": max_megabytes()}, code="too_big")
    extension = extension_of(upload.name)
    file_type = TYPE_BY_EXTENSION.get(extension)
    if file_type is None:
        if extension:
            message = gettext(
                "Files of type .%(extension)s are not accepted. Accepted types: %(types)s."
            ) % {"extension": extension, "types": accepted_types_text()}
        else:
            message = gettext(
                "The file name has no extension (such as .pdf), so its type is unclear. "
                "Accepted types: %(types)s."
            ) % {"types": accepted_types_text()}
        raise ValidationError(message, code="type_not_allowed")
    expanded = _expanded_size(upload)
    if expanded is not None and expanded > MAX_EXPANSION * limit:
        message = gettext(
            "The file is a compressed package that would expand to %(size)s MB, far more "
            "than a document of at most %(limit)s MB holds, so it is not accepted."
        ) % {"size": floatformat(expanded / (1024 * 1024), 0), "limit": max_megabytes()}
        raise ValidationError(message, code="too_big_expanded")
    detected = detect_type(upload)
    if not content_matches(upload, file_type, detected):
        actual = _type_of_content(detected)
        if actual is not None:
            message = gettext(
                "The name of the file ends in .%(extension)s (%(named)s) but its content is "
                "of another type: %(actual)s. Rename it to .%(actual_extension)s, or choose "
                "the right file."
            ) % {
                "extension": extension,
                "named": file_type.label,
                "actual": actual.label,
                "actual_extension": actual.extensions[0],
            }
        else:
            message = gettext(
                "The name of the file ends in .%(extension)s (%(named)s) but its content is "
                "not of that type (it was detected as %(detected)s), so it is not accepted. "
                "Accepted types: %(types)s."
            ) % {
                "extension": extension,
                "named": file_type.label,
                "detected": detected,
                "types": accepted_types_text(),
            }
        raise ValidationError(message, code="content_mismatch")
    return file_type
