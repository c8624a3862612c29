"""
Demo data of the countries app: the programme's countries, the actors named in
the knowledge-bank entry, illustrative people and the demo users.

Everything is created only when missing, so loading twice changes nothing and
edits made in the application are kept.
"""

import unicodedata

from django.contrib.auth import get_user_model

from .models import Actor, Country, Membership, Person

DEMO_PASSWORD = "peervisits-demo"

PARTNER_COUNTRIES = ["BR", "CL", "CO", "CR", "PY", "UY"]
COORDINATOR_COUNTRY = "IT"  # IILA, the coordinating international organisation

ILLUSTRATIVE = "Illustrative demo person: the knowledge-bank entry names no people."

# The actors exactly as the knowledge-bank entry names them (acronyms only where it gives one).
ACTORS = [
    ("UY", "Ministerio de Desarrollo Social", "MIDES", Actor.Kind.GOVERNMENT),
    ("CR", "Ministerio de Desarrollo Humano e Inclusión Social", "", Actor.Kind.GOVERNMENT),
    ("CL", "Ministerio de Desarrollo Social", "", Actor.Kind.GOVERNMENT),
    ("PY", "Ministerio de la Niñez y la Adolescencia", "", Actor.Kind.GOVERNMENT),
    ("CO", "Ministerio de Salud y Protección Social", "", Actor.Kind.GOVERNMENT),
    ("IT", "Organización Internacional Ítalo-Latinoamericana", "IILA", Actor.Kind.INTERNATIONAL),
]
# The entry names Brazil's actor only as "Brasil": kept as written, for the project team
# to complete.
BRAZIL_ACTOR = "Brasil"
BRAZIL_REVIEW_NOTE = (
    "The knowledge-bank entry names only the country (“Brasil”), not the institution. "
    "Please record the Brazilian ministry or agency that took part."
)

# Illustrative people: one political and one technical delegate per institution.
PEOPLE = {
    "BR": [
        ("Ana Paula Souza", "Secretária Nacional de Cuidados", "political", ["pt", "es"]),
        ("Rafael Oliveira", "Coordenador técnico de cuidados", "technical", ["pt"]),
    ],
    "CL": [
        ("Camila Rojas", "Subsecretaria de Servicios Sociales", "political", ["es"]),
        ("Felipe Muñoz", "Profesional del Sistema de Cuidados", "technical", ["es", "en"]),
    ],
    "CO": [
        ("Andrés Gómez", "Director de Promoción Social", "political", ["es"]),
        ("Natalia Castaño", "Asesora técnica de cuidado", "technical", ["es", "en"]),
    ],
    "CR": [
        ("Laura Jiménez", "Viceministra de Desarrollo Humano", "political", ["es"]),
        ("Óscar Solís", "Coordinador de la Red de Cuido", "technical", ["es"]),
    ],
    "PY": [
        ("Carlos Benítez", "Viceministro de Protección Integral", "political", ["es"]),
        ("María José Giménez", "Técnica de la Dirección de Cuidados", "technical", ["es", "pt"]),
    ],
    "UY": [
        ("Lucía Pereira", "Directora Nacional de Cuidados", "political", ["es", "pt"]),
        ("Martín Fernández", "Técnico del Sistema Nacional de Cuidados", "technical", ["es"]),
    ],
    "IT": [
        ("Giulia Bianchi", "Coordinatrice del programma", "technical", ["it", "es", "en"]),
        ("Marco Conti", "Responsabile di progetto", "technical", ["it", "es", "pt", "en"]),
    ],
}

# username, first name, last name, country of the actor, role, focal point
USERS = [
    ("coordinator", "Giulia", "Bianchi", "IT", Membership.Role.COORDINATOR, False),
    ("projectteam", "Marco", "Conti", "IT", Membership.Role.PROJECT_TEAM, False),
    ("staff-br", "Ana Paula", "Souza", "BR", Membership.Role.STAFF, True),
    ("staff-cl", "Felipe", "Muñoz", "CL", Membership.Role.STAFF, True),
    ("staff-co", "Natalia", "Castaño", "CO", Membership.Role.STAFF, True),
    ("staff-cr", "Óscar", "Solís", "CR", Membership.Role.STAFF, True),
    ("staff-py", "María José", "Giménez", "PY", Membership.Role.STAFF, True),
    ("staff-uy", "Martín", "Fernández", "UY", Membership.Role.STAFF, True),
]


def load():
    countries = {}
    for code in PARTNER_COUNTRIES:
        countries[code], _ = Country.objects.get_or_create(
            code=code, defaults={"programme_role": Country.ProgrammeRole.PARTNER}
        )
    countries[COORDINATOR_COUNTRY], _ = Country.objects.get_or_create(
        code=COORDINATOR_COUNTRY, defaults={"programme_role": Country.ProgrammeRole.COORDINATOR}
    )

    actors = {}
    for code, name, acronym, kind in ACTORS:
        actors[code], _ = Actor.objects.get_or_create(
            name=name,
            country=countries[code],
            defaults={"acronym": acronym, "kind": kind, "is_partner": True},
        )
    actors["BR"], _ = Actor.objects.get_or_create(
        name=BRAZIL_ACTOR,
        country=countries["BR"],
        defaults={
            "kind": Actor.Kind.GOVERNMENT,
            "is_partner": True,
            "needs_review": True,
            "review_note": BRAZIL_REVIEW_NOTE,
        },
    )

    for code, people in PEOPLE.items():
        for name, position, role, languages in people:
            Person.objects.get_or_create(
                name=name,
                actor=actors[code],
                defaults={
                    "position": position,
                    "exchange_role": role,
                    "languages": languages,
                    "email": _demo_email(name),
                    "notes": ILLUSTRATIVE,
                },
            )

    User = get_user_model()
    for username, first_name, last_name, code, role, focal_point in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, actor=actors[code], defaults={"role": role, "is_focal_point": focal_point}
        )


def _demo_email(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ".".join(ascii_name.lower().split()) + "@example.org"
