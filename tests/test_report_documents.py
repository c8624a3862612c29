import time

from pypdf import PdfReader  # noqa
from io import BytesIO

from peervisits.pdf import render_pdf
from visits.models import Visit
from visits.reports import visit as visit_report


def test_smoke(demo_visits):
    visit = Visit.objects.filter(status="closed").first()
    html = visit_report.REPORT.render_html(visit, "en")
    open("/tmp/rep/visit.html", "w").write(html)
    t = time.perf_counter()
    pdf = render_pdf(html)
    print("seconds", time.perf_counter() - t, pdf.pages)
    open("/tmp/rep/visit.pdf", "wb").write(pdf.data)
