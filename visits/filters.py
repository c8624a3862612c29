import django_filters
from django.db.models import Exists, Max, Min, OuterRef
from django.utils.translation import gettext_lazy as _

from countries.models import Country

from .models import Delegation, ThematicFocus, Visit


def year_choices():
    """Every year from the first visit's to the last's, newest first: the two ends are read
    from the visits' index (the distinct years of all visits would read every visit)."""
    span = Visit.objects.aggregate(first=Min("start_date"), last=Max("start_date"))
    if span["first"] is None:
        return []
    return [(year, str(year)) for year in range(span["last"].year, span["first"].year - 1, -1)]


class VisitFilter(django_filters.FilterSet):
    host_country = django_filters.ModelChoiceFilter(
        label=_("Host country"), queryset=Country.objects.all()
    )
    visiting_country = django_filters.ModelChoiceFilter(
        label=_("Visiting country"),
        queryset=Country.objects.all(),
        field_name="delegations__country",
        method="filter_visiting",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Visit.Status.choices)
    year = django_filters.ChoiceFilter(
        label=_("Year"), choices=year_choices, field_name="start_date__year"
    )
    thematic_focus = django_filters.ChoiceFilter(
        label=_("Thematic focus"), choices=ThematicFocus.choices
    )

    class Meta:
        model = Visit
        fields = ["host_country", "visiting_country", "status", "year", "thematic_focus"]

    def filter_visiting(self, queryset, name, value):
        # EXISTS rather than a join: no duplicate rows to remove, a cheap count for the pages.
        visiting = Delegation.objects.filter(visit=OuterRef("pk"), country=value, is_host=False)
        return queryset.filter(Exists(visiting))
