"""
The four reports and the jobs that render them.

Each report kind is a :class:`~.base.ReportDefinition` in its own module; the
job service (:mod:`.jobs`) stores requests, dispatches them to Celery and runs
them in workers.
"""

from ..models import ReportJob
from . import lesson, methodology, overview, visit

REPORTS = {
    ReportJob.Kind.VISIT: visit.REPORT,
    ReportJob.Kind.METHODOLOGY: methodology.REPORT,
    ReportJob.Kind.LESSON: lesson.REPORT,
    ReportJob.Kind.OVERVIEW: overview.REPORT,
}


def definition(kind):
    return REPORTS[ReportJob.Kind(kind)]
