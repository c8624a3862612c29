"""The visit pages (/visits/): list, plan, delegations, findings, evaluations, budget,
compliance, workflow and history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Avg, Prefetch
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.concurrency import (
    STALE_MESSAGE,
    StaleEditError,
    fingerprint,
    save_unless_changed,
)
from core.history import story
from countries.models import Country
from countries.roles import roles_of

from .. import notices, workflow
from ..duties import duties_of
from ..figures import figures_of, figures_of_programme
from ..filters import VisitFilter
from ..forms import (
    AttachmentForm,
    BudgetFormSet,
    ComplianceFormSet,
    DelegationFormSet,
    EvaluationForm,
    FindingForm,
    FollowUpForm,
    ParticipantFormSet,
    TransitionNoteForm,
    VisitForm,
)
from ..models import (
    Delegation,
    Evaluation,
    Finding,
    Participant,
    Visit,
)
from .common import (
    get_visit,
    refuse_if_closed,
    refuse_unless_recording_results,
    send_back_if_replanned,
)

VISITS_PER_PAGE = 25


@login_required
@permission_required("visits.view_visit", raise_exception=True)
def visit_list(request):
    visits = (
        Visit.objects.visible_to(request.user)
        .select_related("host_country")
        .prefetch_related(
            Prefetch(
                "delegations",
                queryset=Delegation.objects.filter(is_host=False).select_related("country"),
                to_attr="visiting_delegations",
            )
        )
    )
    filterset = VisitFilter(request.GET, queryset=visits)
    page = Paginator(filterset.qs, VISITS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/visit_list.html",
        {"filter": filterset, "page_obj": page, "visits": page.object_list},
    )


@login_required
@permission_required("visits.view_visit", raise_exception=True)
def recommendations(request):
    """The recommendations the user (their country) still follows up, the newest first."""
    found = (
        Finding.objects.followed_up_by(request.user)
        .select_related("visit__host_country", "delegation__country")
        .order_by("-pk")
    )
    page = Paginator(found, VISITS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/recommendation_list.html",
        {"page_obj": page, "recommendations": page.object_list},
    )


@login_required
@permission_required("visits.view_visit", raise_exception=True)
def programme_figures(request):
    figures = figures_of_programme(request.user)
    return render(request, "visits/programme_figures.html", {"figures": figures})


def _host_countries(user):
    roles = roles_of(user)
    countries = Country.objects.all()
    if roles.is_coordinator or user.is_superuser:
        return countries
    return countries.filter(pk__in=roles.staff_country_ids)


@login_required
@permission_required("visits.add_visit", raise_exception=True)
def visit_create(request):
    form = VisitForm(request.POST or None, host_countries=_host_countries(request.user))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            visit = form.save(commit=False)
            visit.created_by = visit.updated_by = request.user
            visit.save()
            form.save_m2m()
            host = Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
            host.actors.set(visit.host_actors.all())
        messages.success(
            request,
            _(
                "The visit was created. Add the visiting delegations and the agenda, then "
                "submit the plan."
            ),
        )
        return redirect(visit)
    return render(request, "visits/visit_form.html", {"form": form})


def _detail_queryset():
    return Visit.objects.select_related(
        "host_country", "methodology_version", "created_by", "updated_by"
    ).prefetch_related(
        "host_actors__country",
        "budget_lines",
        # Prefetched, the findings also answer the gaps of the next step without a query.
        Prefetch(
            "findings",
            queryset=Finding.objects.select_related(
                "delegation__country", "addressee", "criterion"
            ),
        ),
        Prefetch(
            "delegations",
            queryset=Delegation.objects.select_related("country").prefetch_related(
                "actors",
                Prefetch(
                    "participants",
                    queryset=Participant.objects.select_related("person__actor", "evaluation"),
                ),
            ),
        ),
    )


@login_required
@permission_required("visits.view_visit", raise_exception=True)
def visit_detail(request, pk):
    visit = get_object_or_404(_detail_queryset().visible_to(request.user), pk=pk)
    user = request.user
    delegations = list(visit.delegations.all())
    findings = list(visit.findings.all())
    checks = list(visit.compliance_checks.select_related("criterion"))
    attachments = visit.attachments.select_related("uploaded_by")
    evaluations = [p.evaluation for d in delegations for p in d.participants.all()
                   if hasattr(p, "evaluation")]  # fmt: skip
    context = {
        "visit": visit,
        "delegations": delegations,
        "findings": findings,
        "recommendations": [f for f in findings if f.is_recommendation],
        "compliance_checks": checks,
        "missing_compliance": visit.unchecked_criteria,
        "attachments": attachments,
        "evaluation_averages": visit.evaluations.aggregate(
            **{d: Avg(d) for d in Evaluation.DIMENSIONS}
        )
        if evaluations
        else None,
        "evaluation_count": len(evaluations),
        "figures": figures_of(visit),
        "transitions": workflow.available_transitions(visit, user),
        "duties": [(duty, duty.is_for(user)) for duty in duties_of(visit)],
        "may_change": user.has_perm("visits.change_visit", visit),
        "may_add_finding": user.has_perm("visits.add_finding", visit),
        "may_respond": user.has_perm("visits.respond_finding", visit),
        "may_restore": user.has_perm("visits.restore_visit", visit),
        "is_open": visit.is_open,
        "agenda_items": visit.agenda_items.select_related("responsible_actor"),
        # The lessons drawn from the visit (lessons/ is a floor above: reached by the relation).
        "lessons": visit.lessons.visible_to(user),
        "attachment_form": AttachmentForm()
        if visit.is_open and user.has_perm("visits.add_attachment", visit)
        else None,
        "may_delete_attachments": user.has_perm("visits.delete_attachment", visit),
        "note_form": TransitionNoteForm(),
    }
    # Which delegations (participants, evaluations, findings) the user may edit.
    context["own_delegation_ids"] = {
        d.pk for d in delegations if user.has_perm("visits.change_delegation", d)
    }
    return render(request, "visits/visit_detail.html", context)


@login_required
@permission_required("visits.change_visit", raise_exception=True)
def visit_update(request, pk):
    visit = get_visit(request, pk, "visits.change_visit")
    if refused := refuse_if_closed(request, visit):
        return refused
    form = VisitForm(request.POST or None, instance=visit)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                visit = form.save(commit=False)
                visit.updated_by = request.user
                visit.save()
                form.save_m2m()
                Delegation.objects.get(visit=visit, is_host=True).actors.set(
                    visit.host_actors.all()
                )
        except StaleEditError:
            pass  # the form carries the message; what was typed stays in it
        else:
            messages.success(request, _("The visit was saved."))
            send_back_if_replanned(request, visit, workflow.field_changes(form))
            return redirect(visit)
    return render(request, "visits/visit_form.html", {"form": form, "visit": visit})


def _formset_page(
    request, visit, formset, *, rows, lock, title, intro, saved, anchor, conflict=None, then=None
):
    """Save a formset of the visit in one transaction, or show it again with its errors. It
    saves only if `rows` (what it edits) did not change since the page was shown; `lock` is the
    row whose lock makes such saves wait for each other (core.concurrency). `then(formset)`
    follows a save (the notifications it calls for)."""
    stale = False
    if request.method == "POST" and formset.is_valid():
        try:
            stale = not save_unless_changed(lock, rows, request.POST.get("state"), formset.save)
        except IntegrityError:
            # A row saved by somebody else in the meantime broke a unique rule.
            messages.error(request, conflict or _("Nothing was saved: please try again."))
        else:
            if not stale:
                messages.success(request, saved)
                if then is not None:
                    then(formset)
                return redirect(f"{visit.get_absolute_url()}#{anchor}")
    context = {
        "visit": visit,
        "formset": formset,
        "title": title,
        "intro": intro,
        # Shown again after a refusal, the page carries the current rows' fingerprint: saved
        # again after comparing, what it shows deliberately replaces them (as single forms do).
        "state": fingerprint(rows),
        "stale": stale,
        "stale_message": STALE_MESSAGE,
    }
    return render(request, "visits/formset_page.html", context)


def _delegations_saved(request, visit, formset):
    # A row whose country changed is that country's delegation now.
    moved = [row for row, fields in formset.changed_objects if "country" in fields]
    notices.delegations_added(visit, [*formset.new_objects, *moved], request.user)
    send_back_if_replanned(request, visit, workflow.formset_changes(formset, _("Delegation")))


@login_required
@permission_required("visits.add_delegation", raise_exception=True)
def delegations(request, pk):
    visit = get_visit(request, pk, "visits.add_delegation")
    if refused := refuse_if_closed(request, visit):
        return refused
    formset = DelegationFormSet(request.POST or None, instance=visit)
    return _formset_page(
        request,
        visit,
        formset,
        rows=visit.delegations.filter(is_host=False).values_list("pk", "country_id", "actors"),
        lock=Visit.objects.filter(pk=visit.pk),
        then=lambda saved: _delegations_saved(request, visit, saved),
        title=_("Visiting delegations"),
        intro=_(
            "The host team is added automatically. Each visiting country fills in "
            "its own participants."
        ),
        saved=_("The delegations were saved."),
        conflict=_("A country can send only one delegation to a visit."),
        anchor="delegations",
    )


@login_required
def participants(request, pk, delegation_id):
    visit = get_visit(request, pk)
    delegation = get_object_or_404(
        Delegation.objects.select_related("country"), pk=delegation_id, visit=visit
    )
    if not request.user.has_perm("visits.change_delegation", delegation):
        raise PermissionDenied
    if refused := refuse_if_closed(request, visit):
        return refused
    formset = ParticipantFormSet(request.POST or None, instance=delegation)
    return _formset_page(
        request,
        visit,
        formset,
        rows=delegation.participants.all(),
        lock=Delegation.objects.filter(pk=delegation.pk),
        title=_("Participants: %(delegation)s") % {"delegation": delegation},
        intro=_("People are chosen among those recorded for the country's actors."),
        saved=_("The participants were saved."),
        conflict=_("A person can take part in only one delegation."),
        anchor="delegations",
    )


def _finding_delegations(user, visit):
    return [d for d in visit.delegations.select_related("country")
            if user.has_perm("visits.change_delegation", d)]  # fmt: skip


def _finding_form_page(request, visit, finding=None):
    delegations = _finding_delegations(request.user, visit)
    if not delegations:
        raise PermissionDenied
    form = FindingForm(
        request.POST or None,
        instance=finding,
        visit=visit,
        delegations=Delegation.objects.filter(pk__in=[d.pk for d in delegations]),
    )
    addressed_before = finding.addressee_id if finding else None
    if request.method == "POST" and form.is_valid():
        try:
            finding = form.save(commit=False)
            finding.visit = visit
            finding.save()
        except StaleEditError:
            pass
        else:
            if finding.addressee_id != addressed_before:
                notices.recommendation_addressed(finding, request.user)
            messages.success(request, _("The finding was saved."))
            return redirect(f"{visit.get_absolute_url()}#findings")
    title = _("Edit the finding") if finding else _("New finding")
    return render(
        request,
        "visits/visit_subform.html",
        {"visit": visit, "form": form, "title": title},
    )


@login_required
@permission_required("visits.add_finding", raise_exception=True)
def finding_create(request, pk):
    visit = get_visit(request, pk, "visits.add_finding")
    if refused := refuse_unless_recording_results(request, visit):
        return refused
    return _finding_form_page(request, visit)


@login_required
def finding_update(request, pk, finding_id):
    visit = get_visit(request, pk)
    finding = get_object_or_404(Finding, pk=finding_id, visit=visit)
    if not request.user.has_perm("visits.change_finding", finding):
        raise PermissionDenied
    if refused := refuse_unless_recording_results(request, visit):
        return refused
    return _finding_form_page(request, visit, finding)


@login_required
def finding_follow_up(request, pk, finding_id):
    """The host's response to a recommendation: open also after the visit closes."""
    visit = get_visit(request, pk, "visits.respond_finding")
    finding = get_object_or_404(Finding, pk=finding_id, visit=visit)
    if not finding.is_recommendation:
        messages.error(request, _("Only recommendations are followed up."))
        return redirect(visit)
    form = FollowUpForm(request.POST or None, instance=finding)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except StaleEditError:
            pass
        else:
            messages.success(request, _("The follow-up was saved."))
            return redirect(f"{visit.get_absolute_url()}#recommendations")
    return render(
        request,
        "visits/visit_subform.html",
        {"visit": visit, "form": form, "title": _("Follow-up: %(title)s") % {"title": finding}},
    )


@login_required
def evaluation(request, pk, participant_id):
    visit = get_visit(request, pk)
    participant = get_object_or_404(
        Participant.objects.select_related("person", "delegation"), pk=participant_id, visit=visit
    )
    if not request.user.has_perm("visits.change_evaluation", participant):
        raise PermissionDenied
    if refused := refuse_unless_recording_results(request, visit):
        return refused
    existing = Evaluation.objects.filter(participant=participant).first()
    form = EvaluationForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                evaluation = form.save(commit=False)
                evaluation.participant = participant
                evaluation.save()
        except StaleEditError:
            pass  # the form carries the message; what was typed stays in it
        except IntegrityError:
            form.add_error(None, _("%(person)s has already evaluated this visit.")
                           % {"person": participant.person})  # fmt: skip
        else:
            messages.success(request, _("The evaluation was saved."))
            return redirect(f"{visit.get_absolute_url()}#evaluations")
    return render(
        request,
        "visits/visit_subform.html",
        {
            "visit": visit,
            "form": form,
            "title": _("Evaluation by %(person)s") % {"person": participant.person},
        },
    )


@login_required
@permission_required("visits.change_budgetline", raise_exception=True)
def budget(request, pk):
    visit = get_visit(request, pk, "visits.change_budgetline")
    if refused := refuse_if_closed(request, visit):
        return refused
    formset = BudgetFormSet(request.POST or None, instance=visit)
    return _formset_page(
        request,
        visit,
        formset,
        rows=visit.budget_lines.all(),
        lock=Visit.objects.filter(pk=visit.pk),
        title=_("Budget"),
        intro=_(
            "Planned and actual costs per category. Leave the actual cost empty until it is known."
        ),
        saved=_("The budget was saved."),
        anchor="budget",
    )


@login_required
@permission_required("visits.change_compliancecheck", raise_exception=True)
def compliance(request, pk):
    visit = get_visit(request, pk, "visits.change_compliancecheck")
    if refused := refuse_if_closed(request, visit):
        return refused
    if visit.methodology_version is None:
        messages.error(
            request,
            _(
                "The checklist follows the methodology version adopted when the plan is "
                "approved: approve the plan first."
            ),
        )
        return redirect(visit)
    formset = ComplianceFormSet(request.POST or None, visit=visit)
    saved_checks = visit.compliance_checks.all()
    stale = False
    if request.method == "POST" and formset.is_valid():
        lock = Visit.objects.filter(pk=visit.pk)
        if save_unless_changed(lock, saved_checks, request.POST.get("state"), formset.save):
            messages.success(request, _("The compliance checklist was saved."))
            return redirect(f"{visit.get_absolute_url()}#compliance")
        stale = True
    rows = list(zip(formset.criteria.values(), formset.forms, strict=False))
    return render(
        request,
        "visits/compliance_form.html",
        {
            "visit": visit,
            "formset": formset,
            "rows": rows,
            "state": fingerprint(saved_checks),
            "stale": stale,
            "stale_message": STALE_MESSAGE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transition(request, pk, name):
    """Take a step of the visit's workflow (POST). A step that cannot be undone is first shown
    on a page that says what it does (GET), and taken only when confirmed there."""
    chosen = workflow.TRANSITIONS.get(name)
    if request.method == "GET" and not (chosen and chosen.needs_confirmation):
        return HttpResponseNotAllowed(["POST"])
    visit = get_visit(request, pk)
    if chosen is None:
        raise PermissionDenied
    if not request.user.has_perm(chosen.permission, visit):
        raise PermissionDenied
    if chosen.needs_confirmation and request.POST.get("confirmed") != "yes":
        available = dict(workflow.available_transitions(visit, request.user))
        context = {
            "visit": visit,
            "transition": chosen,
            "available": chosen in available,
            "gaps": available.get(chosen, []),
            "note": request.POST.get("note", ""),
            "unconfirmed": request.method == "POST",
        }
        return render(request, "visits/transition_confirm.html", context)
    note = request.POST.get("note", "")
    try:
        workflow.apply_transition(visit, name, request.user, note)
    except workflow.VisitError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": str(chosen.label).lower()})
    return redirect(visit)


@login_required
@permission_required("visits.view_visit", raise_exception=True)
def history(request, pk):
    visit = get_visit(request, pk)
    records = visit.history.select_related("history_user").order_by("-history_date")
    finding_records = (
        Finding.history.filter(visit_id=visit.pk)
        .select_related("history_user")
        .order_by("-history_date")
    )
    return render(
        request,
        "visits/history.html",
        {
            "visit": visit,
            "entries": story(
                records,
                ignored=(*workflow.STEP_NOTES, "sequence", "is_illustrative"),
                reason=workflow.history_reason,
            ),
            "finding_entries": story(finding_records, ignored=("visit",)),
            # A closed or cancelled visit no longer changes: nothing to restore.
            "may_restore": visit.is_open and request.user.has_perm("visits.restore_visit", visit),
        },
    )


@login_required
@require_POST
def restore(request, pk, history_id):
    visit = get_visit(request, pk, "visits.restore_visit")
    if refused := refuse_if_closed(request, visit):
        return refused
    record = get_object_or_404(visit.history, history_id=history_id)
    with transaction.atomic():
        current = Visit.objects.select_for_update().get(pk=visit.pk)
        restored = record.instance
        # The workflow is not rewound by a restore: only the plan's content comes back.
        for field in ("status", "methodology_version_id", "plan_submitted_at"):
            setattr(restored, field, getattr(current, field))
        restored.revision = current.revision + 1
        restored.updated_by = request.user
        restored.save()
    messages.success(request, _("The visit was restored as it was on that date."))
    return redirect(visit)
