"""Japanese names of the checker's rules and severities, for the staff pages and the hints."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sasaeai.plainlang.engine import RULE_IDS

RULE_LABELS: dict[str, Promise] = {
    "loanword": _("カタカナ語"),
    "abbreviation": _("略語"),
    "expression": _("言い換えてほしい表現"),
    "sentence-length": _("文の長さ"),
    "comma-count": _("読点の数"),
    "double-negative": _("二重否定"),
    "redundant": _("回りくどい表現"),
}
assert tuple(RULE_LABELS) == RULE_IDS

SEVERITY_LABELS: dict[str, Promise] = {
    "error": _("エラー"),
    "warning": _("警告"),
    "info": _("参考"),
}


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


def severity_label(severity: str) -> str:
    return str(SEVERITY_LABELS.get(severity, severity))


def labels_for_script() -> dict[str, dict[str, str]]:
    """The labels as plain strings, for ``json_script`` (read by plainlang-hints.js)."""
    return {
        "rules": {rule: str(label) for rule, label in RULE_LABELS.items()},
        "severities": {severity: str(label) for severity, label in SEVERITY_LABELS.items()},
        "messages": {
            "none": str(_("指摘はありません。")),
            "count": str(_("指摘 {count} 件")),
            "more": str(_("ほか {count} 件")),
            "readability": str(_("読みやすさ: {level}（{score}）")),
            "unavailable": str(_("いまはヒントを表示できません。")),
            "too_long": str(_("文章が長いため、ヒントを表示しません。")),
            "suggestion": str(_("言い換えの案: {suggestion}")),
            "place": str(_("{line}行{column}字目")),
        },
    }
