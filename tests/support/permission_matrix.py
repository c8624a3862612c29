"""The permission matrix: who gets what on every URL of the site, and the world it is
checked in. The test is tests/peervisits/test_permission_matrix.py; the security suite
walks the same entries."""

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tests.support.worlds import PDF, conducted_visit

User = get_user_model()

USERS = ["anonymous", "host", "outsider", "focal", "coordinator", "team", "newcomer"]
USERNAMES = {
    "anonymous": None,
    "host": "colleague-py",
    "outsider": "colleague-br",
    "focal": "staff-uy",
    "coordinator": "coordinator",
    "team": "projectteam",
    "newcomer": "newcomer",  # signed in, a member of no actor
}
L = "login"  # anonymous: redirected to the login page, with ?next=
A = "admin login"  # redirected to the admin's login page

# --- the world -------------------------------------------------------------------------------


def build_world():
    from countries import demo as countries_demo
    from countries.models import Actor, Country, Membership, Person
    from lessons.models import Lesson
    from reports.models import ReportJob
    from visits.methodology import demo as methodology_demo
    from visits.methodology.models import Criterion, MethodologyVersion, Phase, RevisionProposal

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
    return {
        **conducted,
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


def post_upload(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "attachment-kind": "document",
        "attachment-title": "Minutes",
        "attachment-file": SimpleUploadedFile("minutes.pdf", PDF),
    }


def post_report(w):
    return {"kind": "visit", "target": w["visit"].pk}


# A country, actor or person as whoever may not add one would try to.
INTRUDER = {"code": "AR", "name": "Intruso", "kind": "other", "exchange_role": "technical"}

# --- the matrix --------------------------------------------------------------------------------

# Entry: "pattern name" or "pattern name what" → (address, GET statuses, POST statuses, POST data)
# Statuses for USERS in their order. POST is checked for the views that only answer POST (and
# the few where a POST is the point); None: not checked.
# A refused POST (login, 403, 404, 405) must change nothing.
# The newcomer, a member of no actor, is refused everything but the public pages and its own
# account: 403 from the views that check the permission first, 404 from those that look the
# visit up first (HOST and READ leave that last column to each entry).
ALL_200 = (200,) * 7
SIGNED_IN = (L,) + (200,) * 6
MEMBERS = (L, 200, 200, 200, 200, 200, 403)
HOST = (L, 200, 404, 403, 200, 403)  # the host's staff and the coordinator
OWN = (L, 403, 404, 200, 200, 403, 404)  # Uruguay's part: its staff and the coordinator
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
    "methodology:version_update": (version_url("version_update", "v3"), COORDINATE, None, None),
    "methodology:criterion_create": (
        version_url("criterion_create", "v3"),
        COORDINATE,
        None,
        None,
    ),
    "methodology:criterion_update": (
        version_url("criterion_update", "v3", "criterion"),
        COORDINATE,
        None,
        None,
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
        None,
        None,
    ),
    "methodology:answer": (
        version_url("answer", "v2"),
        (L, 403, 403, 200, 403, 403, 403),
        None,
        None,
    ),
    "methodology:comment": (
        version_url("comment", "v2"),
        (L, 405, 405, 405, 405, 403, 403),
        (L, 302, 302, 302, 302, 403, 403),
        {"text": "A remark.", "criterion": ""},
    ),
    "methodology:adopt": (version_url("adopt", "v2"), COORDINATE_POST, COORDINATE_DONE, {}),
    "methodology:return_to_draft": (
        version_url("return_to_draft", "v2"),
        COORDINATE,
        COORDINATE_DONE,
        {"note": "Rework PREP-01."},
    ),
    "methodology:restore": (restore_criterion, COORDINATE_POST, COORDINATE_DONE, {}),
    "methodology:propose": (
        propose("published"),
        (L, 403, 403, 200, 200, 403, 403),
        None,
        None,
    ),
    "methodology:proposal_accept": (
        obj_url("methodology:proposal_accept", "proposal"),
        COORDINATE_POST,
        COORDINATE_DONE,
        {},
    ),
    # --- visits ----------------------------------------------------------------------------
    "visits:visit_list": (plain("visits:visit_list"), MEMBERS, None, None),
    "visits:programme_figures": (plain("visits:programme_figures"), MEMBERS, None, None),
    "visits:recommendations": (plain("visits:recommendations"), MEMBERS, None, None),
    "visits:visit_create": (
        plain("visits:visit_create"),
        (L, 200, 200, 200, 200, 403, 403),
        None,
        None,
    ),
    "visits:visit_detail": (visit_url("visit_detail"), READ + (403,), None, None),
    "visits:visit_update": (visit_url("visit_update"), HOST + (403,), None, None),
    "visits:delegations": (visit_url("delegations"), HOST + (403,), None, None),
    "visits:participants": (visit_url("participants", "uruguay"), OWN, None, None),
    "visits:agenda": (visit_url("agenda"), READ + (404,), None, None),
    "visits:agenda_edit": (visit_url("agenda_edit"), HOST + (404,), None, None),
    "visits:agenda_ics": (visit_url("agenda_ics"), READ + (404,), None, None),
    "visits:finding_create": (
        visit_url("finding_create"),
        (L, 200, 404, 200, 200, 403, 403),
        None,
        None,
    ),
    "visits:finding_update": (visit_url("finding_update", "recommendation"), OWN, None, None),
    "visits:finding_follow_up": (
        visit_url("finding_follow_up", "recommendation"),
        HOST + (404,),
        None,
        None,
    ),
    "visits:evaluation": (visit_url("evaluation", "lucia"), OWN, None, None),
    "visits:budget": (visit_url("budget"), HOST + (403,), None, None),
    "visits:compliance": (visit_url("compliance"), HOST + (403,), None, None),
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
        (L, 405, 405, 405, 405, 405, 405),
        (L, 403, 404, 403, 302, 403, 404),
        {},
    ),
    "visits:transition": (
        visit_url("transition", "systematise"),
        (L, 405, 405, 405, 405, 405, 405),
        (L, 302, 404, 403, 302, 403, 404),
        {},
    ),
    "visits:history": (visit_url("history"), READ + (403,), None, None),
    "visits:restore": (
        restore_visit,
        (L, 405, 405, 405, 405, 405, 405),
        (L, 403, 404, 403, 302, 403, 404),
        {},
    ),
    # --- the knowledge bank ----------------------------------------------------------------
    "lessons:lesson_list": (plain("lessons:lesson_list"), ALL_200, None, None),
    "lessons:lesson_create": (
        plain("lessons:lesson_create"),
        (L, 200, 200, 200, 200, 403, 403),
        None,
        None,
    ),
    "lessons:lesson_import": (
        plain("lessons:lesson_import"),
        (L, 403, 403, 403, 200, 200, 403),
        None,
        None,
    ),
    "lessons:lesson_detail": (
        obj_url("lessons:lesson_detail", "draft"),
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
    "lessons:lesson_update": (
        obj_url("lessons:lesson_update", "draft"),
        (L, 200, 404, 404, 200, 403, 404),
        None,
        None,
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
    "lessons:lesson_transition publish": (
        lesson_transition("review", "publish"),
        NOT_GET,
        (L, 403, 404, 404, 302, 403, 404),
        {},
    ),
    # --- reports ---------------------------------------------------------------------------
    "reports:job_list": (
        plain("reports:job_list"),
        SIGNED_IN,
        (L, 302, 404, 302, 302, 302, 404),
        post_report,
    ),
    "reports:job_detail": (
        obj_url("reports:job_detail", "done"),
        (L, 200, 404, 404, 404, 200, 404),
        None,
        None,
    ),
    "reports:job_download": (
        obj_url("reports:job_download", "done"),
        (L, 200, 404, 404, 404, 200, 404),
        None,
        None,
    ),
    "reports:job_retry": (
        obj_url("reports:job_retry", "failed"),
        NOT_GET,
        (L, 302, 404, 404, 404, 404, 404),
        {},
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

# Pattern names in MATRIX stand for themselves; other admin patterns for the admin group.
ADMIN_GROUP = "admin"
