"""Public plan progress pages, no login: mounted at /m/<code>/plan/.

Addresses are stable for sharing: plans by id, goals, initiatives and indicators by their
numbers in the plan.
"""

from django.urls import URLPattern, URLResolver, path

from sasaeai.plans.feeds import PlanProgressFeed
from sasaeai.plans.views import public

app_name = "plans_public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public.plan_home, name="home"),
    path("feed.atom", PlanProgressFeed(), name="feed"),
    path("<int:plan_id>/", public.plan_detail, name="plan"),
    path("<int:plan_id>/years/<int:fiscal_year>/", public.plan_year, name="year"),
    path("<int:plan_id>/goals/<int:number>/", public.goal_detail, name="goal"),
    path("<int:plan_id>/initiatives/<int:number>/", public.initiative_detail, name="initiative"),
    path("<int:plan_id>/indicators/", public.indicator_list, name="indicators"),
    path("<int:plan_id>/indicators/<int:number>/", public.indicator_detail, name="indicator"),
]
