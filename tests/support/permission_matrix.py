"""The permission matrix: who gets what on every URL of the site, and the world it is
checked in. The test is tests/peervisits/test_permission_matrix.py; the security suite
walks the same entries."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core import notifications
from core.concurrency import fingerprint
from core.forms import NotificationPreferencesForm
from core.models import Notification
from countries import demo as countries_demo
from countries.models import Actor, Country, Membership, Person
from lessons.models import Lesson
from reports.models import ReportJob
from tests.support.knowledge_bank import shipped_bytes
from tests.support.worlds import PDF, conducted_visit
from visits.methodology import demo as methodology_demo
from visits.methodology.models import (
    Criterion,
    Endorsement,
    MethodologyVersion,
    Phase,
    RevisionProposal,
)
from visits.models import Evaluation, Visit
from visits.views.agenda import agenda_state

User = get_user_model()

# The columns of MATRIX; "host focal" (below) has no column of its own.
USERS = ["anonymous", "host", "outsider", "focal", "coordinator", "team", "newcomer"]
USERNAMES = {
    "anonymous": None,
    "host": "colleague-py",
    "outsider": "colleague-br",
    "focal": "staff-uy",
    "coordinator": "coordinator",
    "team": "projectteam",
    "newcomer": "newcomer",  # signed in, a member of no actor
    "host focal": "staff-py",  # Paraguay's focal point
}
L = "login"  # anonymous: redirected to the login page, with ?next=
A = "admin login"  # redirected to the admin's login page

# --- the world -------------------------------------------------------------------------------


def build_world():
    countries_demo.load()
    methodology_demo.load()
    User.objects.create_user("newcomer", email="newcomer@example.org")
    for username, code in [("colleague-py", "PY"), ("colleague-br", "BR")]:
        colleague = User.objects.create_user(username, email=f"{username}@example.org")
        Membership.objects.create(
            user=colleague,
            actor=Membership.objects.get(user__username=f"staff-{code.lower()}").actor,
            role=Membership.Role.STAFF,
            is_focal_point=False,
        )
    host_user = User.objects.get(username="colleague-py")

    def country(code):
        return Country.objects.get(code=code)

    # The visit (Paraguay hosts Uruguay), conducted, ready to be systematised.
    v1 = MethodologyVersion.objects.get(number=1)
    conducted = conducted_visit(uploader=host_user)
    visit = conducted["visit"]

    # The knowledge bank.
    lessons = {
        status: Lesson.objects.create(
            title=f"A lesson {status}",
            status=status,
            created_by=host_user,
            description="Interpretation for every session.",
        )
        for status in Lesson.Status.values
    }
    published = lessons[Lesson.Status.PUBLISHED]
    proposal = RevisionProposal.objects.create(
        lesson=published,
        code="PREP-08",
        phase=Phase.PREPARATION,
        title="Interpretation planned",
        text="Interpretation is budgeted for every session.",
        proposed_by=User.objects.get(username="staff-uy"),
    )

    # The methodology: a draft version 3 beside the demo's version 2 in consultation.
    draft = MethodologyVersion.objects.create(number=3, previous=v1)
    criterion = Criterion.objects.create(
        version=draft, code="PLAN-01", phase=Phase.PLANNING, title="Objectives", text="Joint."
    )
    Criterion.objects.create(
        version=draft, code="PLAN-02", phase=Phase.PLANNING, title="Delegations", text="Mixed."
    )

    # Report jobs of the visit, requested by the host's colleague.
    common = {
        "kind": ReportJob.Kind.VISIT,
        "target_id": visit.pk,
        "title": f"Systematisation: {visit.label}",
        "requested_by": host_user,
        "finished_at": timezone.now(),
    }
    done = ReportJob.objects.create(
        **common,
        language="en",
        status=ReportJob.Status.DONE,
        progress=100,
        input_hash="d" * 64,
        pages=1,
        size=len(PDF),
    )
    done.file.save(f"reports/{done.pk}/{done.download_name}", ContentFile(PDF))
    failed = ReportJob.objects.create(
        **common,
        language="es",
        status=ReportJob.Status.FAILED,
        input_hash="f" * 64,
        error="The report could not be produced.",
    )
    # A notification of the visit, in the inbox of the host's colleague.
    notifications.register_target(Visit)
    notification = Notification.objects.create(
        recipient=host_user, kind="visits.example", target=visit, context={}
    )
    return {
        **conducted,
        "notification": notification,
        "visit record": conducted["record"],
        "published": published,
        "draft": lessons[Lesson.Status.DRAFT],
        "review": lessons[Lesson.Status.IN_REVIEW],
        "proposal": proposal,
        "v2": MethodologyVersion.objects.get(number=2),
        "v3": draft,
        "criterion": criterion,
        "criterion record": Criterion.history.get(id=criterion.pk, history_type="+"),
        "done": done,
        "failed": failed,
        "actor": Actor.objects.get(country__code="PY", is_partner=True),
        "person": Person.objects.get(name="Lucía Pereira"),
    }


# --- addresses and data ----------------------------------------------------------------------


def visit_url(name, *objects):
    def build(w):
        args = [w["visit"].pk] + [w[o].pk if o in w else o for o in objects]
        return reverse(f"visits:{name}", args=args)

    return build


def version_url(name, version, *objects):
    def build(w):
        args = [w[version].number] + [w[o].pk if o in w else o for o in objects]
        return reverse(f"methodology:{name}", args=args)

    return build


def obj_url(name, which):
    return lambda w: reverse(name, args=[w[which].pk])


def plain(name, *args):
    return lambda w: reverse(name, args=args)


def lesson_transition(which, action):
    return lambda w: reverse("lessons:lesson_transition", args=[w[which].pk, action])


def restore_visit(w):
    return reverse("visits:restore", args=[w["visit"].pk, w["visit record"].history_id])


def restore_criterion(w):
    return reverse("methodology:restore", args=[3, w["criterion record"].history_id])


def propose(which):
    return lambda w: f"{reverse('methodology:propose')}?lesson={w[which].pk}"


def formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


# Valid input for each action on the visit, as its page would send it, that changes something
# (so an allowed POST must change the database, and a refused one must not).
STAFF_COUNTRY = {"colleague-py": "PY", "staff-py": "PY", "colleague-br": "BR", "staff-uy": "UY"}


def post_visit_create(w, username):
    host = Country.objects.get(code=STAFF_COUNTRY.get(username, "CL"))
    return {"host_country": host.pk, "title": "Another visit"}


def post_visit_update(w, username):
    visit = w["visit"]
    return {
        "title": "A new title",
        "objectives": visit.objectives,
        "city": visit.city,  # the visit took place: its city stays
        "start_date": "2024-05-06",
        "end_date": "2024-05-08",
        "revision": visit.revision,
    }


def post_delegations(w, username):
    shown = w["visit"].delegations.filter(is_host=False).values_list("pk", "country_id", "actors")
    chile = Country.objects.get(code="CL")
    return {"state": fingerprint(shown), **formset("delegations", [{"country": chile.pk}])}


def post_participants(w, username):
    martin = Person.objects.get(name="Martín Fernández").pk
    return {
        "state": fingerprint(w["uruguay"].participants.all()),
        **formset("participants", [{"person": martin, "role": "technical"}]),
    }


def post_agenda(w, username):
    item = {"day": "2024-05-07", "start_time": "10:00", "end_time": "11:00"}
    return {
        "state": agenda_state(w["visit"]),
        **formset("agenda_items", [{**item, "title": "Site visit", "kind": "site_visit"}]),
    }


def post_budget(w, username):
    line = {"category": "venue", "planned": "300", "currency": "USD"}
    return {"state": fingerprint(w["visit"].budget_lines.all()), **formset("budget_lines", [line])}


def post_compliance(w, username):
    visit = w["visit"]
    rows = [
        {"criterion_id": c.pk, "status": "met", "note": ""}
        for c in visit.methodology_version.criteria.all()
    ]
    rows[0]["status"] = "not_met"
    return {
        "state": fingerprint(visit.compliance_checks.all()),
        **formset("form", rows, initial=len(rows)),
    }


def post_finding_create(w, username):
    author = w["uruguay"] if username == "staff-uy" else w["host"]
    return {"delegation": author.pk, "kind": "best_practice", "title": "New", "text": "New."}


def post_finding_update(w, username):
    recommendation = w["recommendation"]
    return {
        "delegation": recommendation.delegation_id,
        "kind": recommendation.kind,
        "title": recommendation.title,
        "text": "Publish them in Spanish and Portuguese.",
        "revision": recommendation.revision,
    }


def post_follow_up(w, username):
    return {
        "follow_up_status": "accepted",
        "host_response": "Agreed.",
        "revision": w["recommendation"].revision,
    }


def post_evaluation(w, username):
    shown = Evaluation.objects.filter(participant=w["lucia"]).first()
    ratings = {"preparation": 2, "relevance": 2, "exchange_quality": 2, "use_of_time": 2}
    return {**ratings, "revision": shown.revision if shown else 0}


def post_version_update(w, username):
    return {"summary": "Another summary.", "revision": w["v3"].revision}


def post_criterion_update(w, username):
    criterion = w["criterion"]
    return {
        "code": criterion.code,
        "phase": criterion.phase,
        "title": "Changed title",
        "text": "Changed text.",
        "revision": criterion.revision,
    }


def post_open_consultation(w, username):
    return {"deadline": (timezone.localdate() + timedelta(days=10)).isoformat()}


def post_answer(w, username):
    """The answer of the user's country (Uruguay's for its focal point)."""
    code = {"staff-uy": "UY"}.get(username, "PY")
    current = Endorsement.objects.get(version=w["v2"], country__code=code)
    return {
        "country": Country.objects.get(code=code).pk,
        "answer": Endorsement.Answer.AGREE,
        "comment": "",
        "revision": current.revision,
    }


def post_lesson(which):
    def data(w, username):
        lesson = w[which] if which else None
        return {
            "knowledge_type": "lessons_learnt",
            "title": lesson.title if lesson else "New lesson",
            "language": "en",
            "description": "Changed by a POST.",
            "revision": lesson.revision if lesson else 0,
        }

    return data


def post_import(w, username):
    return {"file": SimpleUploadedFile("entry.txt", shipped_bytes())}


def post_proposal(which):
    def data(w, username):
        return {
            "lesson": w[which].pk,
            "revises": "",
            "code": "PREP-09",
            "phase": Phase.PREPARATION,
            "title": "A new criterion",
            "text": "Drawn from the lesson.",
        }

    return data


def post_upload(w, username):
    return {
        "attachment-kind": "document",
        "attachment-title": "Minutes",
        "attachment-file": SimpleUploadedFile("minutes.pdf", PDF),
    }


def post_report(kind):
    targets = {
        "visit": lambda w: w["visit"].pk,
        "lesson": lambda w: w["published"].pk,
        "methodology": lambda w: (
            MethodologyVersion.objects.get(status=MethodologyVersion.Status.ADOPTED).pk
        ),
        "overview": lambda w: "",
    }
    return lambda w, username: {"kind": kind, "target": targets[kind](w)}


def post_notification_settings(w, username):
    field = NotificationPreferencesForm.field_name
    return {"language": "es", **{field(kind): "daily" for kind in notifications.kinds()}}


# A country, actor or person as whoever may not add one would try to.
INTRUDER = {"code": "AR", "name": "Intruso", "kind": "other", "exchange_role": "technical"}

# --- the matrix --------------------------------------------------------------------------------

# Entry: "pattern name" or "pattern name what" → (address, GET statuses, POST statuses, POST data)
# Statuses for USERS in their order. POST is checked for every action (None: a page that only
# reads, or whose POST another module tests); its data is a dict or a function of the world and
# the username. A refused POST (login, 403, 404, 405) must change nothing; an allowed one of the
# entries in CHANGES must change something.
# The newcomer, a member of no actor, is refused everything but the public pages and its own
# account: 403 from the views that check the permission first, 404 from those that look the
# visit up first (HOST and READ leave that last column to each entry).
ALL_200 = (200,) * 7
SIGNED_IN = (L,) + (200,) * 6
MEMBERS = (L, 200, 200, 200, 200, 200, 403)
HOST = (L, 200, 404, 403, 200, 403)  # the host's staff and the coordinator
HOST_DONE = (L, 302, 404, 403, 302, 403)  # their valid POST
OWN = (L, 403, 404, 200, 200, 403, 404)  # Uruguay's part: its staff and the coordinator
OWN_DONE = (L, 403, 404, 302, 302, 403, 404)
READ = (L, 200, 404, 200, 200, 200)  # whoever sees the visit
TEAM_WRITES = (L, 403, 403, 403, 403, 200, 403)
COORDINATE = (L, 403, 403, 403, 200, 403, 403)
COORDINATE_POST = (L, 403, 403, 403, 405, 403, 403)  # GET of a coordinator's POST-only action
COORDINATE_DONE = (L, 403, 403, 403, 302, 403, 403)
NOT_GET = (L, 405, 405, 405, 405, 405, 405)
ADMIN = (A, A, A, A, A, 200, A)

MATRIX = {
    # --- the project -----------------------------------------------------------------------
    "home": (plain("home"), ALL_200, None, None),
    "healthz": (plain("healthz"), ALL_200, None, None),
    "set_language": (plain("set_language"), (302,) * 7, (302,) * 7, {"language": "es"}),
    # --- Django's auth views ---------------------------------------------------------------
    "login": (plain("login"), ALL_200, None, None),
    "logout": (plain("logout"), (405,) * 7, (302,) * 7, {}),
    "password_change": (plain("password_change"), SIGNED_IN, None, None),
    "password_change_done": (plain("password_change_done"), SIGNED_IN, None, None),
    "password_reset": (plain("password_reset"), ALL_200, None, None),
    "password_reset_done": (plain("password_reset_done"), ALL_200, None, None),
    "password_reset_confirm": (
        plain("password_reset_confirm", "MQ", "bad-token"),
        ALL_200,  # the page says the link is invalid
        None,
        None,
    ),
    "password_reset_complete": (plain("password_reset_complete"), ALL_200, None, None),
    # --- countries, actors, people ---------------------------------------------------------
    "countries:country_list": (plain("countries:country_list"), MEMBERS, None, None),
    "countries:country_create": (
        plain("countries:country_create"),
        TEAM_WRITES,
        (L, 403, 403, 403, 403, 200, 403),  # the team: the form, shown again with its errors
        INTRUDER,
    ),
    "countries:country_detail": (plain("countries:country_detail", "PY"), MEMBERS, None, None),
    "countries:country_update": (
        plain("countries:country_update", "PY"),
        TEAM_WRITES,
        (L, 403, 403, 403, 403, 200, 403),  # an empty form: shown again with its errors
        {},
    ),
    "countries:actor_list": (plain("countries:actor_list"), MEMBERS, None, None),
    "countries:actor_create": (
        plain("countries:actor_create"),
        TEAM_WRITES,
        (L, 403, 403, 403, 403, 302, 403),  # the team adds the actor
        INTRUDER,
    ),
    "countries:actor_detail": (obj_url("countries:actor_detail", "actor"), MEMBERS, None, None),
    "countries:actor_update": (
        obj_url("countries:actor_update", "actor"),
        TEAM_WRITES,
        (L, 403, 403, 403, 403, 200, 403),  # the team: without the revision, shown again
        {"name": "Changed", "kind": "other"},
    ),
    "countries:person_list": (plain("countries:person_list"), MEMBERS, None, None),
    "countries:person_create": (
        plain("countries:person_create"),
        TEAM_WRITES,
        (L, 403, 403, 403, 403, 200, 403),  # the team: the form, shown again with its errors
        INTRUDER,
    ),
    "countries:person_detail": (
        obj_url("countries:person_detail", "person"),
        MEMBERS,
        None,
        None,
    ),
    "countries:person_update": (
        obj_url("countries:person_update", "person"),
        TEAM_WRITES,
        (L, 403, 403, 403, 403, 200, 403),
        {},
    ),
    # --- the methodology -------------------------------------------------------------------
    "methodology:adopted": (plain("methodology:adopted"), MEMBERS, None, None),
    "methodology:version_list": (plain("methodology:version_list"), MEMBERS, None, None),
    "methodology:version_detail": (version_url("version_detail", "v2"), MEMBERS, None, None),
    "methodology:history": (version_url("history", "v2"), MEMBERS, None, None),
    "methodology:version_create": (
        plain("methodology:version_create"),
        COORDINATE_POST,
        COORDINATE_DONE,  # refused by the rule "one version in progress", with a message
        {},
    ),
    "methodology:version_update": (
        version_url("version_update", "v3"),
        COORDINATE,
        COORDINATE_DONE,
        post_version_update,
    ),
    "methodology:criterion_create": (
        version_url("criterion_create", "v3"),
        COORDINATE,
        COORDINATE_DONE,
        {"code": "COND-09", "phase": Phase.CONDUCT, "title": "New", "text": "New."},
    ),
    "methodology:criterion_update": (
        version_url("criterion_update", "v3", "criterion"),
        COORDINATE,
        COORDINATE_DONE,
        post_criterion_update,
    ),
    "methodology:criterion_retire": (
        version_url("criterion_retire", "v3", "criterion"),
        COORDINATE_POST,
        COORDINATE_DONE,
        {},
    ),
    "methodology:criterion_move": (
        version_url("criterion_move", "v3", "criterion", "down"),
        COORDINATE_POST,
        COORDINATE_DONE,
        {},
    ),
    "methodology:open_consultation": (
        version_url("open_consultation", "v3"),
        COORDINATE,
        COORDINATE_DONE,
        post_open_consultation,
    ),
    "methodology:answer": (
        version_url("answer", "v2"),
        (L, 403, 403, 200, 403, 403, 403),  # focal points, for their country
        (L, 403, 403, 302, 403, 403, 403),
        post_answer,
    ),
    "methodology:comment": (
        version_url("comment", "v2"),
        (L, 405, 405, 405, 405, 403, 403),
        (L, 302, 302, 302, 302, 403, 403),
        {"text": "A remark.", "criterion": ""},
    ),
    "methodology:adopt": (
        version_url("adopt", "v2"),
        COORDINATE,  # the confirmation page
        COORDINATE_DONE,  # confirmed, refused by the rule "jointly agreed", with a message
        {"confirm": "on"},
    ),
    "methodology:adopt unconfirmed": (
        version_url("adopt", "v2"),
        COORDINATE,
        (L, 403, 403, 403, 200, 403, 403),  # the confirmation page again, with its error
        {},
    ),
    "methodology:send_reminder": (
        version_url("send_reminder", "v2"),
        COORDINATE_POST,
        COORDINATE_DONE,  # recorded, the e-mails sent to the two countries that have not answered
        {},
    ),
    "methodology:return_to_draft": (
        version_url("return_to_draft", "v2"),
        COORDINATE,
        COORDINATE_DONE,
        {"note": "Rework PREP-01."},
    ),
    "methodology:restore": (restore_criterion, COORDINATE_POST, COORDINATE_DONE, {}),
    "methodology:propose": (
        propose("published"),
        (L, 403, 403, 200, 200, 403, 403),  # focal points and the coordinator
        # The coordinator's proposal goes into the draft, refused while version 2 is in
        # consultation (tests/lessons/test_lesson_access.py has it with none in consultation).
        (L, 403, 403, 302, 200, 403, 403),
        post_proposal("published"),
    ),
    "methodology:propose draft": (
        propose("draft"),
        (L, 403, 403, 404, 200, 403, 403),
        (L, 403, 403, 404, 200, 403, 403),
        post_proposal("draft"),
    ),
    "methodology:proposal_accept": (
        obj_url("methodology:proposal_accept", "proposal"),
        COORDINATE_POST,
        COORDINATE_DONE,  # refused while version 2 is in consultation, as the proposal above
        {},
    ),
    # --- visits ----------------------------------------------------------------------------
    "visits:visit_list": (plain("visits:visit_list"), MEMBERS, None, None),
    "visits:programme_figures": (plain("visits:programme_figures"), MEMBERS, None, None),
    "visits:recommendations": (plain("visits:recommendations"), MEMBERS, None, None),
    "visits:visit_create": (
        plain("visits:visit_create"),
        (L, 200, 200, 200, 200, 403, 403),
        (L, 302, 302, 302, 302, 403, 403),
        post_visit_create,
    ),
    "visits:visit_detail": (visit_url("visit_detail"), READ + (403,), None, None),
    "visits:visit_update": (
        visit_url("visit_update"),
        HOST + (403,),
        HOST_DONE + (403,),
        post_visit_update,
    ),
    "visits:delegations": (
        visit_url("delegations"),
        HOST + (403,),
        HOST_DONE + (403,),
        post_delegations,
    ),
    "visits:participants": (
        visit_url("participants", "uruguay"),
        OWN,
        OWN_DONE,
        post_participants,
    ),
    "visits:agenda": (visit_url("agenda"), READ + (404,), None, None),
    "visits:agenda_edit": (
        visit_url("agenda_edit"),
        HOST + (404,),
        HOST_DONE + (404,),
        post_agenda,
    ),
    "visits:agenda_ics": (visit_url("agenda_ics"), READ + (404,), None, None),
    "visits:finding_create": (
        visit_url("finding_create"),
        (L, 200, 404, 200, 200, 403, 403),
        (L, 302, 404, 302, 302, 403, 403),
        post_finding_create,
    ),
    "visits:finding_update": (
        visit_url("finding_update", "recommendation"),
        OWN,
        OWN_DONE,
        post_finding_update,
    ),
    "visits:finding_follow_up": (
        visit_url("finding_follow_up", "recommendation"),
        HOST + (404,),
        HOST_DONE + (404,),
        post_follow_up,
    ),
    "visits:evaluation": (visit_url("evaluation", "lucia"), OWN, OWN_DONE, post_evaluation),
    "visits:budget": (visit_url("budget"), HOST + (403,), HOST_DONE + (403,), post_budget),
    "visits:compliance": (
        visit_url("compliance"),
        HOST + (403,),
        HOST_DONE + (403,),
        post_compliance,
    ),
    "visits:attachment_upload": (
        visit_url("attachment_upload"),
        (L, 405, 405, 405, 405, 405, 405),
        (L, 302, 404, 302, 302, 403, 404),
        post_upload,
    ),
    "visits:attachment_download": (
        visit_url("attachment_download", "attachment"),
        READ + (404,),
        None,
        None,
    ),
    "visits:attachment_delete": (
        visit_url("attachment_delete", "attachment"),
        (L, 403, 404, 403, 200, 403, 404),  # the page that confirms it
        (L, 403, 404, 403, 302, 403, 404),
        {"confirmed": "yes"},
    ),
    "visits:transition": (
        visit_url("transition", "systematise"),
        (L, 405, 405, 405, 405, 405, 405),
        (L, 302, 404, 403, 302, 403, 404),
        {},
    ),
    # Irreversible steps: a confirmation page first; a POST without the confirmation shows it
    # again and changes nothing (the world's visit, conducted, can be neither closed nor
    # cancelled: the page says so).
    "visits:transition cancel": (
        visit_url("transition", "cancel"),
        (L, 200, 404, 403, 200, 403, 404),
        (L, 200, 404, 403, 200, 403, 404),
        {"note": "The host postponed the programme."},
    ),
    "visits:transition close": (
        visit_url("transition", "close"),
        (L, 403, 404, 403, 200, 403, 404),
        (L, 403, 404, 403, 200, 403, 404),
        {},
    ),
    "visits:history": (visit_url("history"), READ + (403,), None, None),
    "visits:restore": (
        restore_visit,
        (L, 405, 405, 405, 405, 405, 405),
        (L, 403, 404, 403, 302, 403, 404),
        {},
    ),
    # --- the knowledge bank (the lessons are the host's colleague's) -----------------------
    "lessons:lesson_list": (plain("lessons:lesson_list"), ALL_200, None, None),
    "lessons:lesson_create": (
        plain("lessons:lesson_create"),
        (L, 200, 200, 200, 200, 403, 403),
        (L, 302, 302, 302, 302, 403, 403),
        post_lesson(None),
    ),
    "lessons:lesson_import": (
        plain("lessons:lesson_import"),
        (L, 403, 403, 403, 200, 200, 403),
        (L, 403, 403, 403, 200, 200, 403),  # the preview: nothing saved yet
        post_import,
    ),
    "lessons:lesson_detail": (
        obj_url("lessons:lesson_detail", "draft"),
        (404, 200, 404, 404, 200, 200, 404),
        None,
        None,
    ),
    "lessons:lesson_detail review": (
        obj_url("lessons:lesson_detail", "review"),
        (404, 200, 404, 404, 200, 200, 404),
        None,
        None,
    ),
    "lessons:lesson_detail published": (
        obj_url("lessons:lesson_detail", "published"),
        ALL_200,
        None,
        None,
    ),
    "lessons:lesson_history": (
        obj_url("lessons:lesson_history", "draft"),
        (L, 200, 404, 404, 200, 200, 404),
        None,
        None,
    ),
    "lessons:lesson_history published": (
        obj_url("lessons:lesson_history", "published"),
        SIGNED_IN,
        None,
        None,
    ),
    "lessons:lesson_update": (
        obj_url("lessons:lesson_update", "draft"),
        (L, 200, 404, 404, 200, 403, 404),
        (L, 302, 404, 404, 302, 403, 404),
        post_lesson("draft"),
    ),
    "lessons:lesson_update review": (
        obj_url("lessons:lesson_update", "review"),
        (L, 200, 404, 404, 200, 403, 404),
        None,
        None,
    ),
    "lessons:lesson_update published": (
        obj_url("lessons:lesson_update", "published"),
        (L, 403, 403, 403, 200, 403, 403),
        (L, 403, 403, 403, 302, 403, 403),  # once published, the coordinator's
        post_lesson("published"),
    ),
    "lessons:lesson_export": (
        obj_url("lessons:lesson_export", "published"),
        ALL_200,
        None,
        None,
    ),
    "lessons:lesson_export draft": (
        obj_url("lessons:lesson_export", "draft"),
        (404, 200, 404, 404, 200, 200, 404),
        None,
        None,
    ),
    "lessons:lesson_transition": (
        lesson_transition("draft", "submit"),
        NOT_GET,
        (L, 302, 404, 404, 302, 403, 404),
        {},
    ),
    "lessons:lesson_transition draft publish": (
        lesson_transition("draft", "publish"),
        NOT_GET,
        (L, 403, 404, 404, 302, 403, 404),
        {},
    ),
    "lessons:lesson_transition publish": (
        lesson_transition("review", "publish"),
        NOT_GET,
        (L, 403, 404, 404, 302, 403, 404),
        {},
    ),
    "lessons:lesson_transition review return": (
        lesson_transition("review", "return"),
        NOT_GET,
        (L, 403, 404, 404, 302, 403, 404),
        {"note": "Say more."},
    ),
    "lessons:lesson_transition published submit": (
        lesson_transition("published", "submit"),
        NOT_GET,
        (L, 403, 403, 403, 302, 403, 403),  # the coordinator: refused by the workflow
        {},
    ),
    "lessons:lesson_transition published return": (
        lesson_transition("published", "return"),
        NOT_GET,
        (L, 403, 403, 403, 302, 403, 403),
        {"note": "Say more."},
    ),
    "lessons:lesson_transition published delete": (
        lesson_transition("published", "delete"),
        NOT_GET,
        (L, 403, 403, 403, 403, 403, 403),  # no such transition
        {},
    ),
    # --- reports ---------------------------------------------------------------------------
    "reports:job_list": (
        plain("reports:job_list"),
        SIGNED_IN,
        (L, 302, 404, 302, 302, 302, 404),
        post_report("visit"),
    ),
    "reports:job_list overview": (
        plain("reports:job_list"),
        SIGNED_IN,
        (L, 403, 403, 403, 302, 302, 403),  # the programme's reports: coordinator and team
        post_report("overview"),
    ),
    "reports:job_list methodology": (
        plain("reports:job_list"),
        SIGNED_IN,
        (L, 403, 403, 403, 302, 302, 403),
        post_report("methodology"),
    ),
    "reports:job_list lesson": (
        plain("reports:job_list"),
        SIGNED_IN,
        (L, 403, 403, 403, 302, 302, 403),
        post_report("lesson"),
    ),
    # A job is its requester's (the host's colleague) and the project team's.
    "reports:job_detail": (
        obj_url("reports:job_detail", "done"),
        (L, 200, 404, 404, 404, 200, 404),
        (L, 405, 405, 405, 405, 405, 405),
        {},
    ),
    "reports:job_detail failed": (
        obj_url("reports:job_detail", "failed"),
        (L, 200, 404, 404, 404, 200, 404),
        None,
        None,
    ),
    "reports:job_download": (
        obj_url("reports:job_download", "done"),
        (L, 200, 404, 404, 404, 200, 404),
        (L, 405, 405, 405, 405, 405, 405),
        {},
    ),
    "reports:job_download failed": (
        obj_url("reports:job_download", "failed"),
        (L, 404, 404, 404, 404, 404, 404),  # no file
        None,
        None,
    ),
    "reports:job_retry": (
        obj_url("reports:job_retry", "failed"),
        NOT_GET,
        (L, 302, 404, 404, 404, 404, 404),
        {},
    ),
    "reports:job_retry done": (
        obj_url("reports:job_retry", "done"),
        NOT_GET,
        (L, 302, 404, 404, 404, 404, 404),  # the requester: nothing to retry, said so
        {},
    ),
    # --- the personal calendar feed ------------------------------------------------------
    # The page creates the user's link on its first POST; renewing replaces it.
    "calendar:feed_settings": (
        plain("calendar:feed_settings"),
        SIGNED_IN,
        (L,) + (302,) * 6,
        {},
    ),
    "calendar:feed_renew": (plain("calendar:feed_renew"), NOT_GET, (L,) + (302,) * 6, {}),
    # The feed: its token is the key, without a session; an unknown one is not found.
    "calendar:feed": (plain("calendar:feed", "x" * 43), (404,) * 7, None, None),
    # --- notifications: each user's own ------------------------------------------------------
    "notifications:inbox": (plain("notifications:inbox"), SIGNED_IN, None, None),
    "notifications:open": (
        obj_url("notifications:open", "notification"),
        (L, 302, 404, 404, 404, 404, 404),  # the host's colleague's, read and left for the visit
        (L, 405, 405, 405, 405, 405, 405),
        {},
    ),
    "notifications:read_all": (plain("notifications:read_all"), NOT_GET, (L,) + (302,) * 6, {}),
    "notifications:settings": (
        plain("notifications:settings"),
        SIGNED_IN,
        (L,) + (302,) * 6,
        post_notification_settings,
    ),
    # --- the admin (one group: the rest is checked by test_the_admin_is_one_site) -----------
    "admin:index": (plain("admin:index"), ADMIN, None, None),
    "admin:countries_actor_changelist": (
        plain("admin:countries_actor_changelist"),
        ADMIN,
        None,
        None,
    ),
    "admin:auth_user_changelist": (plain("admin:auth_user_changelist"), ADMIN, None, None),
    "admin:visits_visit_change": (
        lambda w: reverse("admin:visits_visit_change", args=[w["visit"].pk]),
        ADMIN,
        None,
        None,
    ),
}

# Entries whose allowed POST (302) changes the database; any other POST changes nothing (a
# form or a preview shown again, or a redirect with the message of a rule that refused it).
CHANGES = {
    "countries:actor_create",
    "methodology:criterion_retire",
    "methodology:criterion_move",
    "methodology:comment",
    "methodology:return_to_draft",
    "methodology:restore",
    "methodology:version_update",
    "methodology:criterion_create",
    "methodology:criterion_update",
    "methodology:answer",
    "methodology:open_consultation",
    "methodology:send_reminder",
    "visits:visit_create",
    "visits:visit_update",
    "visits:delegations",
    "visits:participants",
    "visits:agenda_edit",
    "visits:finding_create",
    "visits:finding_update",
    "visits:finding_follow_up",
    "visits:evaluation",
    "visits:budget",
    "visits:compliance",
    "visits:attachment_upload",
    "visits:attachment_delete",
    "visits:transition",
    "visits:restore",
    "lessons:lesson_create",
    "lessons:lesson_update",
    "lessons:lesson_update published",
    "lessons:lesson_transition",
    "lessons:lesson_transition draft publish",
    "lessons:lesson_transition publish",
    "lessons:lesson_transition review return",
    "lessons:lesson_transition published return",
    "methodology:propose",
    "reports:job_list",
    "reports:job_list overview",
    "reports:job_list methodology",
    "reports:job_list lesson",
    "reports:job_retry",
    "calendar:feed_settings",
    "calendar:feed_renew",
}

# The host country's focal point gets what the host's plain staff get, except where being a
# focal point counts (answering the consultation, proposing criteria) or where the host's
# colleague does as a person (the lessons' author, the reports' requester): (entry, method) →
# status.
HOST_FOCAL = {
    ("methodology:answer", "GET"): 200,
    ("methodology:answer", "POST"): 302,
    ("methodology:propose", "GET"): 200,
    ("methodology:propose", "POST"): 302,
    ("methodology:propose draft", "GET"): 404,
    ("methodology:propose draft", "POST"): 404,
    ("lessons:lesson_detail", "GET"): 404,
    ("lessons:lesson_detail review", "GET"): 404,
    ("lessons:lesson_history", "GET"): 404,
    ("lessons:lesson_export draft", "GET"): 404,
    ("lessons:lesson_update", "GET"): 404,
    ("lessons:lesson_update", "POST"): 404,
    ("lessons:lesson_update review", "GET"): 404,
    ("lessons:lesson_transition", "POST"): 404,
    ("lessons:lesson_transition draft publish", "POST"): 404,
    ("lessons:lesson_transition publish", "POST"): 404,
    ("lessons:lesson_transition review return", "POST"): 404,
    ("reports:job_detail", "GET"): 404,
    ("reports:job_detail failed", "GET"): 404,
    ("reports:job_download", "GET"): 404,
    ("reports:job_retry", "POST"): 404,
    ("reports:job_retry done", "POST"): 404,
    ("notifications:open", "GET"): 404,  # not theirs
}


def expected_status(entry, user, method):
    _address, get, post, _data = MATRIX[entry]
    statuses = get if method == "GET" else post
    if user == "host focal":
        return HOST_FOCAL.get((entry, method), statuses[USERS.index("host")])
    return statuses[USERS.index(user)]


# Pattern names in MATRIX stand for themselves; other admin patterns for the admin group.
ADMIN_GROUP = "admin"
