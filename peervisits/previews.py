"""The dashboards' lists: a preview of each, bounded."""

from dataclasses import dataclass

# A dashboard shows the newest few of each list, how many there are and a link to all of them;
# it counts up to COUNTED (beyond, "more than"), so that its cost does not grow with the
# programme: an exact count of years of visits would read them all on every view.
DASHBOARD_ITEMS = 5
COUNTED = 100


@dataclass
class Preview:
    items: list
    total: int  # at most COUNTED + 1: more than COUNTED
    counted: int  # how far it was counted

    @property
    def more(self):
        return min(self.total, self.counted) - len(self.items)

    @property
    def beyond_count(self):
        """More than `counted` rows: `total` and `more` are lower bounds."""
        return self.total > self.counted


def preview(queryset, size=DASHBOARD_ITEMS):
    """The first `size` rows and how many there are, up to COUNTED (counted only when there
    are more than `size`)."""
    items = list(queryset[: size + 1])
    if len(items) <= size:
        return Preview(items, len(items), COUNTED)
    return Preview(items[:size], queryset[: COUNTED + 1].count(), COUNTED)
