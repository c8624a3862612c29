"""The reference catalogues: the 17 SDGs, the six added values of triangular
cooperation and the phases of the operation cycle (English names; the names
shown are translated by lessons/catalogues.py)."""

from django.db import migrations

SDGS = [
    (1, "No Poverty"),
    (2, "Zero Hunger"),
    (3, "Good Health and Well-being"),
    (4, "Quality Education"),
    (5, "Gender Equality"),
    (6, "Clean Water and Sanitation"),
    (7, "Affordable and Clean Energy"),
    (8, "Decent Work and Economic Growth"),
    (9, "Industry, Innovation and Infrastructure"),
    (10, "Reduced Inequalities"),
    (11, "Sustainable Cities and Communities"),
    (12, "Responsible Consumption and Production"),
    (13, "Climate Action"),
    (14, "Life Below Water"),
    (15, "Life on Land"),
    (16, "Peace, Justice and Strong Institutions"),
    (17, "Partnerships for the Goals"),
]

ADDED_VALUES = [
    (1, "Building ownership and trust"),
    (2, "Promoting complementarity and increasing co-ordination in development co-operation"),
    (3, "Sharing knowledge and learning jointly"),
    (4, "Co-creating solutions and flexibility"),
    (5, "Enhancing volume, scope and sustainability"),
    (6, "Contributing to cross-cutting issues of the 2030 Agenda"),
]

PHASES = ["Identification", "Formulation", "Implementation", "Monitoring and evaluation", "Closure"]


def create(apps, schema_editor):
    SDG = apps.get_model("lessons", "SDG")
    AddedValue = apps.get_model("lessons", "AddedValue")
    Phase = apps.get_model("lessons", "Phase")
    for number, name in SDGS:
        SDG.objects.update_or_create(number=number, defaults={"english_name": name})
    for number, label in ADDED_VALUES:
        AddedValue.objects.update_or_create(number=number, defaults={"english_label": label})
    for order, name in enumerate(PHASES, start=1):
        Phase.objects.get_or_create(name=name, defaults={"order": order})


def remove(apps, schema_editor):
    # The catalogues go with the tables; nothing else to undo.
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, remove),
    ]
