"""Dates, numbers and amounts follow the active language, on pages and in reports."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from reports.kinds import definition
from visits.models import BudgetLine, Visit

pytestmark = pytest.mark.django_db

EXPECTED = {
    # language: (a date, an amount with decimals, an average rating)
    "en": ("March 4, 2025", "1,234,567.50", "4.0"),
    "es": ("4 de marzo de 2025", "1.234.567,50", "4,0"),
    "pt": ("4 de Março de 2025", "1.234.567,50", "4,0"),
}


@pytest.fixture
def visit(demo_visits):
    visit = Visit.objects.filter(status=Visit.Status.CLOSED).order_by("pk").first()
    Visit.objects.filter(pk=visit.pk).update(start_date=date(2025, 3, 4), end_date=date(2025, 3, 6))
    line = visit.budget_lines.order_by("pk").first()
    BudgetLine.objects.filter(pk=line.pk).update(planned=Decimal("1234567.50"), currency="USD")
    visit.evaluations.update(preparation=4)
    return visit


def page_in(client, language, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.text
    return response.text


@pytest.mark.parametrize("language", ["en", "es", "pt"])
def test_the_visit_page_formats_dates_amounts_and_averages(client, projectteam, visit, language):
    a_date, amount, average = EXPECTED[language]
    client.force_login(projectteam)
    html = page_in(client, language, visit.get_absolute_url())
    assert a_date in html
    assert amount in html
    assert f" {average}," in html  # "preparation 4.0, relevance …"


@pytest.mark.parametrize("language", ["en", "es", "pt"])
def test_the_visit_report_formats_them_in_its_own_language(visit, language):
    a_date, amount, _average = EXPECTED[language]
    report = definition("visit")
    html = report.render_html(report.target(None, visit.pk), language)
    assert a_date in html
    assert amount in html


def test_a_number_is_never_formatted_in_another_language(client, projectteam, visit):
    client.force_login(projectteam)
    assert "1.234.567,50" not in page_in(client, "en", visit.get_absolute_url())
    assert "1,234,567.50" not in page_in(client, "es", visit.get_absolute_url())
