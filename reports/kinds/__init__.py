"""
The four kinds of report, each a :class:`~.base.ReportDefinition` in its own module.
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
