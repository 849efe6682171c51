"""Issue 3's walk-through, as a new user would do it, on the demo tenant:

import a plan from the template, open a cycle, one department answers on the web and another
through Excel, a committee member comments, the secretariat approves, and the roll-ups count it.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from sasaeai.accounts.models import User
from sasaeai.plans.models import Evaluation, EvaluationState, Plan, Review
from sasaeai.plans.selectors.tree import plan_tree
from sasaeai.plans.services import department_import, evaluations, plan_import, reviews
from tests.conftest import login

ROWS = {
    "計画": [["（架空）テスト計画", "令和8年度", "R10", "支え合うまち"]],
    "基本目標": [[1, "（架空）相談", "", ""]],
    "施策": [[1, 1, "（架空）相談の場"]],
    "取組種類": [[1, 1, "（架空）窓口"]],
    "取組": [
        [1, 1, "（架空）高齢者の相談", "", "高齢者いきいき課", ""],
        [2, 1, "（架空）障害のある人の相談", "", "障害福祉課", ""],
    ],
    "成果指標": [
        [1, 1, "（架空）相談件数", "件", "１００", "R7", "200", "R10", "増やす", "業務統計"]
    ],
}


def filled_template() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(plan_import.plan_template()))
    for sheet, rows in ROWS.items():
        for row in rows:
            book[sheet].append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def demo(db: None) -> None:
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())


def test_whole_cycle(demo: None) -> None:
    secretariat = User.objects.get(username="demo-jimukyoku")
    web_department = User.objects.get(username="demo-tantoka")
    excel_department = User.objects.get(username="demo-tantoka2")
    member = User.objects.get(username="demo-iin")
    kamakura = secretariat.municipality

    # 1. import the plan from the template
    result = plan_import.plan_import(
        actor=secretariat, municipality=kamakura, data=filled_template()
    )
    assert result.errors == []
    plan = Plan.objects.get(municipality=kamakura, name="（架空）テスト計画")
    assert (plan.start_fy, plan.end_fy, plan.initiatives.count()) == (2026, 2028, 2)

    # 2. open the 令和8年度 cycle
    cycle = evaluations.cycle_open(actor=secretariat, plan=plan, fiscal_year=2026)
    web_eval = Evaluation.objects.get(cycle=cycle, initiative__number=1)
    excel_eval = Evaluation.objects.get(cycle=cycle, initiative__number=2)

    # 3. one department on the web: save and submit in one go
    client = login(Client(), web_department)
    response = client.post(
        f"/staff/plans/evaluations/{web_eval.pk}/",
        {
            "results": "相談会を12回開いた。",
            "grade": "A",
            "issues": "",
            "direction": "継続",
            "version": web_eval.version,
            "action": "submit",
        },
    )
    assert response.status_code == 302
    web_eval.refresh_from_db()
    assert (web_eval.state, web_eval.grade, web_eval.results) == (
        EvaluationState.SUBMITTED,
        "A",
        "相談会を12回開いた。",
    )

    # 4. the other department through Excel
    exported = department_import.department_workbook_export(
        actor=excel_department, cycle=cycle, unit=excel_eval.unit
    )
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = book["評価"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("実施内容・実績") + 1, value="手話通訳の窓口を設けた。")
    sheet.cell(row=2, column=headers.index("評価") + 1, value="B 概ね順調")
    sheet.cell(row=2, column=headers.index("今後の方向性") + 1, value="拡充")
    out = io.BytesIO()
    book.save(out)
    department_import.department_import_apply(
        actor=excel_department, municipality=kamakura, data=out.getvalue()
    )
    excel_eval.refresh_from_db()
    assert (excel_eval.grade, excel_eval.direction, excel_eval.results) == (
        "B",
        "拡充",
        "手話通訳の窓口を設けた。",
    )
    evaluations.evaluation_submit(
        actor=excel_department, evaluation=excel_eval, expected_version=excel_eval.version
    )

    # 5. a committee member comments, the secretariat responds and approves
    comment = reviews.review_create(
        actor=member,
        cycle=cycle,
        kind="initiative_comment",
        initiative=excel_eval.initiative,
        body="利用した人の声も聞いてほしい。",
    )
    reviews.review_respond(
        actor=secretariat,
        review=comment,
        expected_version=comment.version,
        city_response="来年度、利用者アンケートを行います。",
    )
    for evaluation in (web_eval, excel_eval):
        evaluation.refresh_from_db()
        evaluations.evaluation_approve(
            actor=secretariat, evaluation=evaluation, expected_version=evaluation.version
        )
    assert Review.objects.get(pk=comment.pk).city_response == "来年度、利用者アンケートを行います。"

    # 6. the roll-ups
    tree = plan_tree(plan, 2026)
    assert tree.tally.grade_rows == [
        ("A", "順調", 1),
        ("B", "概ね順調", 1),
        ("C", "やや遅れている", 0),
        ("D", "遅れている", 0),
    ]
    assert tree.tally.direction_rows == [("拡充", 1), ("継続", 1), ("見直し", 0), ("終了", 0)]
    assert set(Evaluation.objects.filter(cycle=cycle).values_list("state", flat=True)) == {
        "approved"
    }
