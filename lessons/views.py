"""The knowledge bank (/lessons/): public list and detail, search with facets, writing,
review, import and export of Knowledge Bank entries."""

import hashlib
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.concurrency import StaleEditError
from core.history import story
from visits.models import Visit

from .facets import facets, facets_of_all
from .forms import ImportForm, LessonForm, ReturnForm
from .knowledge_bank import applying, exporting, parsing
from .models import Lesson
from .search import clean_query, json_list_contains, search

LESSONS_PER_PAGE = 20
IMPORT_SESSION_KEY = "lessons_import"


# Facets: (parameter, label, lookup on Lesson)
FILTERS = {
    "country": "countries",
    "phase": "phase",
    "sdg": "sdgs__number",
    "value": "added_values__number",
    "actor": "actors",
    "actor_kind": "actors__kind",
    "type": "knowledge_type",
    "visit": "related_visits",
    "year": "created_at__year",
}


# Facets whose values are numbers (ids, numbers of SDGs and added values, years): what
# else is typed in the address matches no lesson.
NUMBER = re.compile(r"[0-9]{1,9}")
NUMERIC_FILTERS = {
    "country": NUMBER,
    "phase": NUMBER,
    "sdg": NUMBER,
    "value": NUMBER,
    "actor": NUMBER,
    "visit": NUMBER,
    "year": re.compile(r"[1-9][0-9]{0,3}"),
}


def _param(request, name):
    # PostgreSQL refuses NUL characters in text.
    return request.GET.get(name, "").replace("\x00", "").strip()


# Facets over many-to-many relations: filtering by them can list a lesson twice.
MULTI_VALUED = {"country", "sdg", "value", "actor", "actor_kind", "visit"}


def _filtered(request, lessons):
    active = {}
    for param, lookup in FILTERS.items():
        value = _param(request, param)
        if value:
            if param in NUMERIC_FILTERS and not NUMERIC_FILTERS[param].fullmatch(value):
                lessons = lessons.none()  # no lesson has it
            else:
                lessons = lessons.filter(**{lookup: value})
            active[param] = value
    keyword = _param(request, "keyword")
    if keyword:
        # JSON containment would be exact; the keyword list is small, match it as text.
        lessons = lessons.filter(json_list_contains("keywords", keyword))
        active["keyword"] = keyword
    # DISTINCT only where needed: over thousands of matches it makes counting them slow.
    return (lessons.distinct() if MULTI_VALUED & active.keys() else lessons), active


def lesson_list(request):
    query = request.GET.get("q", "")
    lessons, active = _filtered(request, Lesson.objects.visible_to(request.user))
    found = search(lessons, query)
    counts, total = facets(found) if clean_query(query) or active else facets_of_all(request.user)
    paginator = Paginator(found.prefetch_related("countries"), LESSONS_PER_PAGE)
    paginator.count = total  # the facets counted them already
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "lessons/lesson_list.html",
        {
            "query": query,
            "page_obj": page,
            "lessons": page.object_list,
            "facets": counts,
            "active": active,
        },
    )


def _lesson(request, pk):
    """The lesson, 404 when the user may not see it."""
    return get_object_or_404(
        Lesson.objects.visible_to(request.user).select_related("phase", "created_by"), pk=pk
    )


@login_required
def lesson_history(request, pk):
    """What each save of the lesson changed, who saved it and why (for those who see it)."""
    lesson = _lesson(request, pk)
    records = lesson.history.select_related("history_user").order_by("-history_date", "-history_id")
    entries = story(records, ignored=("review_note", "search_vector"), reason=Lesson.history_reason)
    return render(request, "lessons/history.html", {"lesson": lesson, "entries": entries})


def lesson_detail(request, pk):
    lesson = _lesson(request, pk)
    user = request.user
    context = {
        "lesson": lesson,
        "countries": lesson.ordered("countries"),
        "actors": lesson.ordered("actors", "actor__country"),
        "sdgs": lesson.sdgs.all(),
        "added_values": lesson.added_values.all(),
        "related_visits": Visit.objects.visible_to(user).filter(lessons=lesson)
        if user.is_authenticated
        else [],
        "criteria": lesson.proposed_criteria.select_related("version"),
        "may_change": user.has_perm("lessons.change_lesson", lesson),
        "may_publish": user.has_perm("lessons.publish_lesson"),
        "may_propose": user.has_perm("lessons.propose_revision"),
        "return_form": ReturnForm(),
    }
    return render(request, "lessons/lesson_detail.html", context)


def lesson_export(request, pk):
    lesson = _lesson(request, pk)
    response = HttpResponse(exporting.export(lesson), content_type="text/plain; charset=utf-8")
    filename = f"{slugify(lesson.title)[:80] or 'lesson'}.txt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _save_lesson_form(request, form, lesson=None):
    try:
        saved = form.save(commit=False)
        if lesson is None:
            saved.created_by = request.user
        saved.updated_by = request.user
        saved.save()
        form.save_m2m()
    except StaleEditError:
        return None
    return saved


@login_required
@permission_required("lessons.add_lesson", raise_exception=True)
def lesson_create(request):
    form = LessonForm(request.POST or None, visits=Visit.objects.visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        lesson = _save_lesson_form(request, form)
        messages.success(request, _("The lesson was saved as a draft."))
        return redirect(lesson)
    return render(request, "lessons/lesson_form.html", {"form": form})


@login_required
def lesson_update(request, pk):
    lesson = _lesson(request, pk)
    if not request.user.has_perm("lessons.change_lesson", lesson):
        raise PermissionDenied
    form = LessonForm(
        request.POST or None, instance=lesson, visits=Visit.objects.visible_to(request.user)
    )
    if request.method == "POST" and form.is_valid():
        if _save_lesson_form(request, form, lesson):
            messages.success(request, _("The lesson was saved."))
            return redirect(lesson)
    return render(request, "lessons/lesson_form.html", {"form": form, "lesson": lesson})


@login_required
@require_POST
def lesson_transition(request, pk, name):
    """submit (the author or a coordinator), publish and return (coordinators)."""
    lesson = _lesson(request, pk)
    user = request.user
    Status = Lesson.Status
    if name == "submit":
        allowed = user.has_perm("lessons.change_lesson", lesson) and lesson.status == Status.DRAFT
        target, done = Status.IN_REVIEW, _("The lesson was sent for review.")
    elif name == "publish":
        allowed = user.has_perm("lessons.publish_lesson") and lesson.status != Status.PUBLISHED
        target, done = Status.PUBLISHED, _("The lesson is published in the knowledge bank.")
    elif name == "return":
        allowed = user.has_perm("lessons.publish_lesson") and lesson.status != Status.DRAFT
        target, done = Status.DRAFT, _("The lesson went back to its author as a draft.")
    else:
        raise PermissionDenied
    if not user.has_perm("lessons.change_lesson", lesson) and name == "submit":
        raise PermissionDenied
    if not allowed:
        if name in ("publish", "return") and not user.has_perm("lessons.publish_lesson"):
            raise PermissionDenied
        messages.error(
            request,
            _("The lesson is %(status)s: this step is not possible now.")
            % {"status": lesson.get_status_display().lower()},
        )
        return redirect(lesson)
    if name == "return":
        form = ReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say what should change before returning the lesson."))
            return redirect(lesson)
        lesson.review_note = form.cleaned_data["note"]
    elif name == "publish":
        lesson.review_note = ""
    lesson.status = target
    lesson.updated_by = user
    lesson.revision += 1
    lesson.save()
    messages.success(request, done)
    return redirect(lesson)


@login_required
@permission_required("lessons.import_lessons", raise_exception=True)
def lesson_import(request):
    """Upload a Knowledge Bank entry, see what it would create, match and flag, then save."""
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(IMPORT_SESSION_KEY)
        if not pending:
            messages.error(request, _("Nothing to import: upload the file again."))
            return redirect("lessons:lesson_import")
        if request.POST["confirm"] != pending.get("token"):
            # The preview confirmed is not the last one shown (e.g. another tab previewed
            # another file since): save nothing rather than the other file.
            messages.error(
                request,
                _("Another file was previewed since this preview: upload this file again."),
            )
            return redirect("lessons:lesson_import")
        parsed = parsing.parse(pending["text"])
        lesson, report = applying.save_parsed(
            parsed, user=request.user, source_file=pending["name"]
        )
        del request.session[IMPORT_SESSION_KEY]
        messages.success(
            request,
            _(
                "“%(title)s” was imported: %(created)s created, %(matched)s matched, "
                "%(flagged)s flagged for review."
            )
            % {
                "title": lesson.title,
                "created": report.created_count,
                "matched": report.matched_count,
                "flagged": report.flagged_count,
            },
        )
        return redirect(lesson)

    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST":
        # A new upload replaces the preview shown before, even when it is refused.
        request.session.pop(IMPORT_SESSION_KEY, None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            parsing.check_size(upload.size)
            data = upload.read()
            parsed = parsing.parse(data)
        except parsing.ImportProblem as problem:
            form.add_error(
                "file",
                _("%(file)s: %(problem)s") % {"file": upload.name, "problem": problem},
            )
        else:
            text = parsing.decode(data)
            token = hashlib.sha256(f"{upload.name}\n{text}".encode()).hexdigest()[:32]
            request.session[IMPORT_SESSION_KEY] = {
                "name": upload.name,
                "text": text,
                "token": token,
            }
            context.update(
                confirm_token=token,
                parsed=parsed,
                report=applying.preview(parsed, user=request.user, source_file=upload.name),
                file_name=upload.name,
            )
    return render(request, "lessons/lesson_import.html", context)
