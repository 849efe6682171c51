"""Who may do what with the annual report. Deny by default.

* 事務局 (secretariat): everything — see the report screens, build previews of any cycle
  (open ones included, marked 案), run the gate, keep terms (用語解説), publish and unpublish.
* 推進委員 (committee members): see the report screens and build previews of closed and
  published cycles — the text they reviewed, as residents will read it. Not open cycles (the
  departments are still writing), not the gate, not publishing.
* Everyone else (担当課, 社協, 地域団体, システム管理者): nothing here. Published reports are on
  the public pages for everybody.

What residents see is not decided here: it is the same for everyone, and the published read
model (``selectors/published.py``) decides it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from sasaeai.accounts.permissions import allowed
from sasaeai.accounts.roles import Role
from sasaeai.plans.models import CycleStatus

RULES: Mapping[str, frozenset[str]] = {
    # the report screens: the list of cycles, a cycle's formats and builds
    "reports.view": frozenset({Role.SECRETARIAT, Role.COMMITTEE_MEMBER}),
    # build a report of a closed or published cycle and download it
    "reports.build": frozenset({Role.SECRETARIAT, Role.COMMITTEE_MEMBER}),
    # build a draft (案) of an open cycle
    "reports.build_draft": frozenset({Role.SECRETARIAT}),
    # the plain-language gate, publishing and unpublishing
    "reports.publish": frozenset({Role.SECRETARIAT}),
    # 用語解説: keep a flagged term with an explanation, change or delete it
    "reports.keep_terms": frozenset({Role.SECRETARIAT}),
}


def can(user: Any, action: str, municipality: Any = None) -> bool:
    return allowed(RULES, user, action, municipality)


def can_build(user: Any, cycle: Any) -> bool:
    """Build (and download builds of) this cycle's report: drafts of open cycles need more."""
    municipality_id = cycle.municipality_id
    if cycle.status == CycleStatus.OPEN:
        return allowed(RULES, user, "reports.build_draft", municipality_id)
    return allowed(RULES, user, "reports.build", municipality_id)


def visible_cycles(user: Any, cycles: QuerySet[Any], municipality_id: Any) -> QuerySet[Any]:
    """The cycles whose report screens the user may open: every cycle of the municipality for
    the report roles, none for anyone else (the queryset form of ``reports.view``)."""
    municipality_id = getattr(municipality_id, "pk", municipality_id)
    cycles = cycles.filter(municipality_id=municipality_id)
    return cycles if can(user, "reports.view", municipality_id) else cycles.none()
