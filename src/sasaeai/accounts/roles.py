"""The roles a user can hold in an organisation unit, and which unit kinds each fits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("課")
    SOCIAL_WELFARE_COUNCIL = "council", _("社会福祉協議会")
    DISTRICT_COUNCIL = "district_council", _("地区社協")
    NEIGHBOURHOOD_ASSOCIATION = "neighbourhood", _("自治会・町内会")
    COMMUNITY_CARE_CENTER = "care_center", _("地域包括支援センター")
    COMMITTEE = "committee", _("委員会")


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("事務局")
    DEPARTMENT = "department", _("担当課")
    COMMITTEE_MEMBER = "committee_member", _("推進委員")
    COUNCIL_COORDINATOR = "council_coordinator", _("社協コーディネーター")
    COMMUNITY_GROUP = "community_group", _("地域団体")
    SYSTEM_ADMIN = "system_admin", _("システム管理者")


# Roles that will see personal data (the evacuation-support roster, resident records):
# their holders must use two-factor authentication.
ROLES_REQUIRING_2FA: frozenset[str] = frozenset(
    {Role.SECRETARIAT, Role.COUNCIL_COORDINATOR, Role.COMMUNITY_GROUP, Role.SYSTEM_ADMIN}
)

# The unit kinds in which each role can be held.
UNIT_KINDS_FOR_ROLE: dict[str, frozenset[str]] = {
    Role.SECRETARIAT: frozenset({UnitKind.DEPARTMENT}),
    Role.DEPARTMENT: frozenset({UnitKind.DEPARTMENT, UnitKind.COMMUNITY_CARE_CENTER}),
    Role.COMMITTEE_MEMBER: frozenset({UnitKind.COMMITTEE}),
    Role.COUNCIL_COORDINATOR: frozenset(
        {UnitKind.SOCIAL_WELFARE_COUNCIL, UnitKind.DISTRICT_COUNCIL}
    ),
    Role.COMMUNITY_GROUP: frozenset(
        {
            UnitKind.NEIGHBOURHOOD_ASSOCIATION,
            UnitKind.DISTRICT_COUNCIL,
            UnitKind.COMMUNITY_CARE_CENTER,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset(UnitKind.values),
}
