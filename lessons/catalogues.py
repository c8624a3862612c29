"""
The reference catalogues of the knowledge bank, with their translated names.

The rows (``SDG``, ``AddedValue``, ``Phase``) are created by data migrations
that store the English names; the names shown to users come from the
dictionaries below, marked for translation and keyed by number (or by the
English name for the phases, which the project team may extend).
"""

from django.utils.translation import gettext_lazy as _

# The 17 Sustainable Development Goals, by number (the UN's short titles).
SDG_NAMES = {
    1: _("No Poverty"),
    2: _("Zero Hunger"),
    3: _("Good Health and Well-being"),
    4: _("Quality Education"),
    5: _("Gender Equality"),
    6: _("Clean Water and Sanitation"),
    7: _("Affordable and Clean Energy"),
    8: _("Decent Work and Economic Growth"),
    9: _("Industry, Innovation and Infrastructure"),
    10: _("Reduced Inequalities"),
    11: _("Sustainable Cities and Communities"),
    12: _("Responsible Consumption and Production"),
    13: _("Climate Action"),
    14: _("Life Below Water"),
    15: _("Life on Land"),
    16: _("Peace, Justice and Strong Institutions"),
    17: _("Partnerships for the Goals"),
}

# The added values of triangular cooperation: the six areas of the OECD toolkit, which
# the programme adopted, with their official numbers.
ADDED_VALUE_LABELS = {
    1: _("Building ownership and trust"),
    2: _("Promoting complementarity and increasing co-ordination in development co-operation"),
    3: _("Sharing knowledge and learning jointly"),
    4: _("Co-creating solutions and flexibility"),
    5: _("Enhancing volume, scope and sustainability"),
    6: _("Contributing to cross-cutting issues of the 2030 Agenda"),
}

# The phases of the operation cycle created by the data migration, in order. The list is
# editable; these names are shown translated, others as written.
PHASE_LABELS = {
    "Identification": _("Identification"),
    "Formulation": _("Formulation"),
    "Implementation": _("Implementation"),
    "Monitoring and evaluation": _("Monitoring and evaluation"),
    "Closure": _("Closure"),
}

# Other names the import recognises for the default phases (Spanish, Portuguese and usual
# synonyms), besides the translations of the names above. Compared without accents or case.
PHASE_ALIASES = {
    "Identification": ["identificación", "identificação", "diagnóstico", "diagnosis"],
    "Formulation": ["formulación", "formulação", "design", "diseño", "desenho", "planning"],
    "Implementation": [
        "implementación",
        "implementação",
        "ejecución",
        "execução",
        "execution",
    ],
    "Monitoring and evaluation": [
        "monitoring",
        "evaluation",
        "monitoring & evaluation",
        "seguimiento y evaluación",
        "monitoreo y evaluación",
        "seguimiento",
        "evaluación",
        "monitoramento e avaliação",
        "acompanhamento e avaliação",
        "monitoramento",
        "avaliação",
    ],
    "Closure": ["closing", "cierre", "encerramento", "fechamento", "conclusão"],
}
