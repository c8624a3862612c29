"""Pages of the jointly agreed methodology and of its consultation (/methodology/)."""

import re
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.concurrency import StaleEditError
from core.history import story
from countries.models import Country
from countries.roles import roles_of

from . import revisions, workflow
from .forms import (
    AdoptForm,
    AnswerForm,
    CommentForm,
    CriterionForm,
    OpenConsultationForm,
    ProposalForm,
    ReturnToDraftForm,
    VersionSummaryForm,
)
from .models import (
    Criterion,
    CriterionComment,
    MethodologyVersion,
    Phase,
    RevisionProposal,
)


def _version(number, queryset=None):
    if queryset is None:
        queryset = MethodologyVersion.objects.all()
    return get_object_or_404(queryset, number=number)


# What a criterion's origin is drawn from (see revisions.with_open_origins).
ORIGINS = ("origin_lesson", "origin_finding__visit")


def by_phase(criteria):
    """[(phase label, [criteria])] in the order of the phases, for every phase with criteria."""
    order = {value: index for index, value in enumerate(Phase.values)}
    criteria = sorted(criteria, key=lambda c: (order[c.phase], c.order, c.code))
    return [
        (Phase(phase).label, list(items)) for phase, items in groupby(criteria, lambda c: c.phase)
    ]


def _refused(request, error, version):
    messages.error(request, str(error))
    return redirect(version)


@login_required
@permission_required("visits.view_methodologyversion", raise_exception=True)
def adopted_methodology(request):
    version = workflow.adopted_version()
    criteria = version.criteria.select_related(*ORIGINS) if version else []
    return render(
        request,
        "visits/methodology/adopted.html",
        {
            "version": version,
            "phases": by_phase(revisions.with_open_origins(criteria, request.user)),
        },
    )


@login_required
@permission_required("visits.view_methodologyversion", raise_exception=True)
def version_list(request):
    versions = MethodologyVersion.objects.select_related("adopted_by", "previous")
    suggestions = RevisionProposal.objects.filter(
        status=RevisionProposal.Status.PENDING
    ).select_related("lesson", "finding__visit__host_country", "proposed_by", "revises")
    return render(
        request,
        "visits/methodology/version_list.html",
        {
            "versions": versions,
            "suggestions": revisions.with_open_sources(suggestions, request.user),
        },
    )


@login_required
@permission_required("visits.add_methodologyversion", raise_exception=True)
@require_POST
def version_create(request):
    try:
        version = workflow.draft_new_version(request.user)
    except workflow.MethodologyError as error:
        messages.error(request, str(error))
        return redirect("methodology:version_list")
    messages.success(
        request,
        _(
            "Version %(number)s was drafted from the adopted version. Edit its criteria, then "
            "open the consultation."
        )
        % {"number": version.number},
    )
    return redirect(version)


@login_required
@permission_required("visits.view_methodologyversion", raise_exception=True)
def version_detail(request, number):
    version = _version(
        number,
        MethodologyVersion.objects.select_related(
            "previous", "created_by", "opened_by", "adopted_by", "closed_by"
        ),
    )
    user = request.user
    criteria = revisions.with_open_origins(version.criteria.select_related(*ORIGINS), user)
    previous_criteria = list(version.previous.criteria.all()) if version.previous_id else []
    endorsements = list(
        version.current_endorsements()
        .select_related("country", "given_by")
        .prefetch_related(
            Prefetch(
                "criterion_comments",
                queryset=CriterionComment.objects.select_related("criterion"),
            )
        )
    )
    partners = list(Country.objects.partners())
    answers = {e.country_id: e for e in endorsements}
    context = {
        "version": version,
        "phases": by_phase(criteria),
        "changes": workflow.compare_versions(version, criteria, previous_criteria),
        "board": [(country, answers.get(country.pk)) for country in partners],
        "comments": version.comments.select_related("author", "criterion"),
        "may_edit": user.has_perm("visits.change_criterion") and version.is_draft,
        "may_answer": user.has_perm("visits.add_endorsement") and version.in_consultation,
        "may_comment": user.has_perm("visits.add_consultationcomment") and version.in_consultation,
        "may_coordinate": user.has_perm("visits.adopt_version"),
    }
    if version.consultation_round:
        # While open, where the consultation stands; once closed, its record.
        context["progress"] = version.consultation_progress(endorsements, partners)
        context["reminders"] = list(
            version.reminders.select_related("sent_by").prefetch_related(
                Prefetch("countries", queryset=Country.objects.order_by("code"))
            )
        )
        context["answer_history"] = version.answer_history()
    if version.in_consultation:
        context["blockers"] = context["progress"]
        context["may_remind"] = user.has_perm("visits.open_consultation")
        context["next_reminder_at"] = version.next_reminder_at(context["reminders"])
        context["may_remind_now"] = version.may_be_reminded(context["reminders"])
    if context["may_comment"]:
        context["comment_form"] = CommentForm(version=version)
    if context["may_coordinate"] and version.is_draft:
        context["open_form"] = OpenConsultationForm()
    if context["may_coordinate"] and version.in_consultation:
        context["return_form"] = ReturnToDraftForm()
    return render(request, "visits/methodology/version_detail.html", context)


@login_required
@permission_required("visits.change_methodologyversion", raise_exception=True)
def version_update(request, number):
    version = _version(number)
    if not version.is_draft:
        return _refused(request, _("Only a draft version can be changed."), version)
    form = VersionSummaryForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except StaleEditError:
            pass  # the form carries the message
        else:
            messages.success(request, _("Summary of changes saved."))
            return redirect(version)
    return render(
        request,
        "visits/methodology/form.html",
        {"form": form, "version": version, "title": _("Summary of changes")},
    )


def _criterion_form(request, version, criterion=None):
    form = CriterionForm(request.POST or None, instance=criterion, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except StaleEditError:
            pass
        except workflow.MethodologyError as error:
            return _refused(request, error, version)
        except IntegrityError:  # a code taken by a concurrent save
            form.add_error("code", _("This code is already used in this version."))
        else:
            messages.success(request, _("Criterion %(code)s saved.") % {"code": form.instance.code})
            return redirect(version)
    title = (
        _("Edit criterion %(code)s") % {"code": criterion.code} if criterion else _("New criterion")
    )
    return render(
        request,
        "visits/methodology/form.html",
        {"form": form, "version": version, "title": title},
    )


@login_required
@permission_required("visits.add_criterion", raise_exception=True)
def criterion_create(request, number):
    version = _version(number)
    if not version.is_draft:
        return _refused(request, _("Only a draft version can be changed."), version)
    return _criterion_form(request, version)


@login_required
@permission_required("visits.change_criterion", raise_exception=True)
def criterion_update(request, number, pk):
    version = _version(number)
    criterion = get_object_or_404(version.criteria, pk=pk)
    if not version.is_draft:
        return _refused(
            request,
            _("Version %(number)s is %(status)s: its criteria can no longer change.")
            % {"number": version.number, "status": version.get_status_display().lower()},
            version,
        )
    return _criterion_form(request, version, criterion)


@login_required
@permission_required("visits.delete_criterion", raise_exception=True)
@require_POST
def criterion_retire(request, number, pk):
    version = _version(number)
    criterion = get_object_or_404(version.criteria, pk=pk)
    try:
        workflow.retire_criterion(criterion)
    except workflow.MethodologyError as error:
        return _refused(request, error, version)
    messages.success(request, _("Criterion %(code)s retired.") % {"code": criterion.code})
    return redirect(version)


@login_required
@permission_required("visits.change_criterion", raise_exception=True)
@require_POST
def criterion_move(request, number, pk, direction):
    version = _version(number)
    criterion = get_object_or_404(version.criteria, pk=pk)
    steps = {"up": -1, "down": 1}
    if direction not in steps:
        raise PermissionDenied
    try:
        workflow.move_criterion(criterion, steps[direction])
    except workflow.MethodologyError as error:
        return _refused(request, error, version)
    return redirect(f"{version.get_absolute_url()}#criterion-{criterion.pk}")


@login_required
@permission_required("visits.open_consultation", raise_exception=True)
def open_consultation(request, number):
    version = _version(number)
    form = OpenConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.open_consultation(version, request.user, form.cleaned_data["deadline"])
        except workflow.MethodologyError as error:
            return _refused(request, error, version)
        messages.success(
            request,
            _(
                "The consultation is open. The focal points of every partner country were "
                "notified by e-mail."
            ),
        )
        return redirect(version)
    return render(
        request,
        "visits/methodology/form.html",
        {"form": form, "version": version, "title": _("Open the consultation")},
    )


@login_required
@permission_required("visits.add_endorsement", raise_exception=True)
def answer(request, number):
    version = _version(number)
    if not version.in_consultation:
        return _refused(
            request,
            _("Version %(number)s is not in consultation: answers are closed.")
            % {"number": version.number},
            version,
        )
    countries = Country.objects.filter(
        pk__in=roles_of(request.user).focal_point_country_ids,
        programme_role=Country.ProgrammeRole.PARTNER,
    )
    if not countries:
        raise PermissionDenied
    criteria = version.criteria.all()
    current = (
        version.current_endorsements()
        .filter(country__in=countries)
        .select_related("country", "given_by")
        .prefetch_related("criterion_comments")
        .first()
    )
    initial = {"country": countries[0].pk, "revision": 0}
    if current:
        initial.update(
            country=current.country_id,
            answer=current.answer,
            comment=current.comment,
            revision=current.revision,
        )
        for remark in current.criterion_comments.all():
            if remark.criterion_id:  # not a criterion retired since
                initial[f"criterion_{remark.criterion_id}"] = remark.text
    form = AnswerForm(request.POST or None, initial=initial, countries=countries, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.answer_consultation(
                version,
                form.cleaned_data["country"],
                request.user,
                form.cleaned_data["answer"],
                form.cleaned_data["comment"],
                form.criterion_comments(),
                expected_revision=form.cleaned_data["revision"] or 0,
            )
        except workflow.MethodologyError as error:
            form.add_error(None, str(error))
            # Shown again beside the current answer, the form carries that answer's
            # revision: sent again after comparing, it replaces it.
            current = (
                version.current_endorsements()
                .filter(country=form.cleaned_data["country"])
                .select_related("country", "given_by")
                .first()
            )
            form.data = form.data.copy()
            form.data["revision"] = current.revision if current else 0
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "The answer of %(country)s is recorded. You can change it until the "
                    "consultation closes."
                )
                % {"country": form.cleaned_data["country"]},
            )
            return redirect(version)
    return render(
        request,
        "visits/methodology/answer.html",
        {"form": form, "version": version, "current": current},
    )


@login_required
@permission_required("visits.add_consultationcomment", raise_exception=True)
@require_POST
def comment(request, number):
    version = _version(number)
    form = CommentForm(request.POST, version=version)
    if not form.is_valid():
        messages.error(request, _("Your comment was empty: nothing was added."))
        return redirect(version)
    try:
        workflow.add_comment(
            version, request.user, form.cleaned_data["text"], form.cleaned_data["criterion"]
        )
    except workflow.MethodologyError as error:
        return _refused(request, error, version)
    messages.success(request, _("Your comment was added."))
    return redirect(f"{version.get_absolute_url()}#comments")


@login_required
@permission_required("visits.adopt_version", raise_exception=True)
def adopt(request, number):
    """Adoption in two steps: a page says what will happen, a ticked box confirms it."""
    version = _version(number, MethodologyVersion.objects.select_related("previous"))
    # Bound on every POST, even an empty one: no box ticked is an error, not a blank form.
    form = AdoptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.adopt(version, request.user)
        except workflow.MethodologyError as error:
            return _refused(request, error, version)
        messages.success(
            request,
            _(
                "Version %(number)s is adopted: every partner country agreed. It now applies "
                "to the visits whose plans are approved."
            )
            % {"number": version.number},
        )
        return redirect(version)
    return render(
        request,
        "visits/methodology/adopt.html",
        {
            "form": form,
            "version": version,
            "current": workflow.adopted_version(),
            "blockers": version.adoption_blockers() if version.in_consultation else None,
        },
    )


@login_required
@permission_required("visits.open_consultation", raise_exception=True)
@require_POST
def send_reminder(request, number):
    version = _version(number)
    try:
        reminder = workflow.send_reminder(version, request.user)
    except workflow.MethodologyError as error:
        return _refused(request, error, version)
    messages.success(
        request,
        _("A reminder was sent to the focal points of: %(countries)s.")
        % {"countries": ", ".join(c.name for c in reminder.countries.order_by("code"))},
    )
    return redirect(f"{version.get_absolute_url()}#consultation-status")


@login_required
@permission_required("visits.return_version", raise_exception=True)
def return_to_draft(request, number):
    version = _version(number)
    form = ReturnToDraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.return_to_draft(version, request.user, form.cleaned_data["note"])
        except workflow.MethodologyError as error:
            return _refused(request, error, version)
        messages.success(request, _("The version is back to draft."))
        return redirect(version)
    return render(
        request,
        "visits/methodology/form.html",
        {"form": form, "version": version, "title": _("Return to draft")},
    )


@login_required
@permission_required("visits.view_methodologyversion", raise_exception=True)
def history(request, number):
    version = _version(number)
    records = (
        Criterion.history.filter(version_id=version.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    version_records = version.history.select_related("history_user").order_by("-history_date")
    return render(
        request,
        "visits/methodology/history.html",
        {
            "version": version,
            "entries": story(records, ignored=("version",)),
            "version_entries": story(
                version_records,
                ignored=("return_note", "reminder_sent_round"),
                reason=workflow.history_reason,
            ),
            "may_restore": request.user.has_perm("visits.restore_criterion") and version.is_draft,
        },
    )


@login_required
@permission_required("visits.restore_criterion", raise_exception=True)
@require_POST
def restore(request, number, history_id):
    version = _version(number)
    record = get_object_or_404(Criterion.history, history_id=history_id, version_id=version.pk)
    try:
        with transaction.atomic():
            workflow.require_draft(
                MethodologyVersion.objects.select_for_update().get(pk=version.pk)
            )
            criterion = record.instance
            current = Criterion.objects.filter(pk=criterion.pk).first()
            criterion.revision = (current.revision + 1) if current else 1
            criterion.save()
    except workflow.MethodologyError as error:
        return _refused(request, error, version)
    except IntegrityError:
        return _refused(
            request,
            _("Another criterion of this version uses the code %(code)s: change it first.")
            % {"code": record.code},
            version,
        )
    messages.success(
        request,
        _("Criterion %(code)s restored as it was on %(date)s.")
        % {
            "code": record.code,
            "date": date_format(localtime(record.history_date), "SHORT_DATETIME_FORMAT"),
        },
    )
    return redirect(version)


def _source_id(request, name):
    """The id of the lesson or finding named in the address or the form; 404 for no id."""
    value = request.GET.get(name) or request.POST.get(name)
    if value and not re.fullmatch(r"[0-9]{1,9}", value):
        raise Http404
    return value


def _proposal_source(request):
    """The lesson or finding a proposal is drawn from, if the user may see it; 404 otherwise."""
    lesson_id, finding_id = _source_id(request, "lesson"), _source_id(request, "finding")
    source = revisions.proposal_source(request.user, lesson_id, finding_id)
    if source is None:
        raise Http404
    return ({"lesson": source} if lesson_id else {"finding": source}), source


@login_required
@permission_required("lessons.propose_revision", raise_exception=True)
def propose(request):
    origin, source = _proposal_source(request)
    form = ProposalForm(request.POST or None, initial=revisions.initial_proposal(source))
    if request.method == "POST" and form.is_valid():
        proposal = form.save(commit=False)
        for name, value in origin.items():
            setattr(proposal, name, value)
        try:
            criterion = revisions.propose_revision(proposal, request.user)
        except workflow.MethodologyError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error("code", error)
        else:
            if criterion is None:
                messages.success(
                    request,
                    _(
                        "Your suggestion was sent to the coordinators, who decide whether it goes "
                        "into the next version."
                    ),
                )
                return redirect(source)
            messages.success(
                request,
                _("Criterion %(code)s is in draft version %(number)s.")
                % {"code": criterion.code, "number": criterion.version.number},
            )
            return redirect(f"{criterion.version.get_absolute_url()}#criterion-{criterion.pk}")
    return render(
        request,
        "visits/methodology/propose.html",
        {"form": form, "source": source, "origin": origin},
    )


@login_required
@permission_required("visits.accept_proposal", raise_exception=True)
@require_POST
def proposal_accept(request, pk):
    proposal = get_object_or_404(
        RevisionProposal.objects.select_related("lesson", "finding__visit__host_country"),
        pk=pk,
        status=RevisionProposal.Status.PENDING,
    )
    try:
        criterion = revisions.apply_proposal(proposal, request.user)
    except (workflow.MethodologyError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("methodology:version_list")
    messages.success(
        request,
        _("Criterion %(code)s is in draft version %(number)s.")
        % {"code": criterion.code, "number": criterion.version.number},
    )
    return redirect(criterion.version)
