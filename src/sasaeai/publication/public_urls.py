"""Public pages, no login: the plan's progress and the published reports.

Two groups, each with the namespace its templates and links have always used:

* ``plan_pages`` (``plans_public``), mounted at /m/<code>/plan/ — stable addresses for sharing:
  plans by id, goals, initiatives and indicators by their numbers in the plan;
* ``report_pages`` (``reports_public``), mounted at /m/<code>/reports/ — the list of published
  reports and their downloads.
"""

from django.urls import URLPattern, URLResolver, path

from sasaeai.publication.feeds import PlanProgressFeed
from sasaeai.publication.views import public

Patterns = list[URLPattern | URLResolver]

plan_pages: tuple[Patterns, str] = (
    [
        path("", public.plan_home, name="home"),
        path("feed.atom", PlanProgressFeed(), name="feed"),
        path("<int:plan_id>/", public.plan_detail, name="plan"),
        path("<int:plan_id>/years/<int:fiscal_year>/", public.plan_year, name="year"),
        path("<int:plan_id>/goals/<int:number>/", public.goal_detail, name="goal"),
        path(
            "<int:plan_id>/initiatives/<int:number>/", public.initiative_detail, name="initiative"
        ),
        path("<int:plan_id>/indicators/", public.indicator_list, name="indicators"),
        path("<int:plan_id>/indicators/<int:number>/", public.indicator_detail, name="indicator"),
    ],
    "plans_public",
)

report_pages: tuple[Patterns, str] = (
    [
        path("", public.report_list, name="index"),
        path("<int:fiscal_year>/<str:fmt>/", public.download, name="download"),
    ],
    "reports_public",
)
