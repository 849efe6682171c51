"""The Atom feed of the plan's published progress: /m/<code>/plan/feed.atom.

One entry per published cycle (a plan's 年度), ``updated`` = when it was published, linking to
the plan's page of that 年度. Only published cycles appear (the published read model); the
addresses are absolute, from ``SASAEAI_BASE_URL``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.publication.selectors.pages import FeedEntry, feed_entries
from sasaeai.publication.selectors.published import published_plans
from sasaeai.publication.views.public import absolute_url

FeedObject = tuple[Municipality, list[FeedEntry]]


class PlanProgressFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, code: str) -> FeedObject:
        municipality = get_object_or_404(Municipality, code=code)
        return municipality, feed_entries(published_plans(municipality))

    def title(self, obj: FeedObject) -> str:
        return _("{municipality} 地域福祉計画の進み具合").format(municipality=obj[0].name)

    def subtitle(self, obj: FeedObject) -> str:
        return _("{municipality}が公表した地域福祉計画の年度ごとの進み具合です。").format(
            municipality=obj[0].name
        )

    def link(self, obj: FeedObject) -> str:
        return absolute_url(reverse("plans_public:home", kwargs={"code": obj[0].code}))

    def feed_url(self, obj: FeedObject) -> str:
        return absolute_url(reverse("plans_public:feed", kwargs={"code": obj[0].code}))

    def feed_guid(self, obj: FeedObject) -> str:
        return self.feed_url(obj)

    def author_name(self, obj: FeedObject) -> str:
        return str(obj[0])

    def items(self, obj: FeedObject) -> list[FeedEntry]:
        return obj[1]

    def item_title(self, item: FeedEntry) -> str:
        return _("{plan} {year}の進み具合を公表しました").format(
            plan=item.published.plan.name, year=format_fiscal_year(item.fiscal_year)
        )

    def item_description(self, item: FeedEntry) -> str:
        grades = "、".join(
            _("{code} {label} {count}件").format(code=row.code, label=row.label, count=row.count)
            for row in item.totals
        )
        text = _("評価した取組 {count}件（{grades}）。").format(count=item.evaluated, grades=grades)
        if item.published.plan.is_demo:
            text = _("デモ（架空のデータを含みます）。") + text
        return text

    def item_link(self, item: FeedEntry) -> str:
        plan = item.published.plan
        return absolute_url(
            reverse(
                "plans_public:year",
                kwargs={
                    "code": plan.municipality.code,
                    "plan_id": plan.pk,
                    "fiscal_year": item.fiscal_year,
                },
            )
        )

    def item_guid(self, item: FeedEntry) -> str:
        return self.item_link(item)

    def item_updateddate(self, item: FeedEntry) -> dt.datetime | None:
        return item.published_at

    def item_pubdate(self, item: FeedEntry) -> dt.datetime | None:
        return item.published_at
