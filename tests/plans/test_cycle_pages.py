"""The cycle screens: open, dashboard, "my updates", the evaluation form (save, submit,
copy forward, conflicts), approve / return, close, history, and the committee's pages."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

from django.test import Client

from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.plans.models import (
    CycleStatus,
    Evaluation,
    EvaluationCycle,
    Review,
    ReviewKind,
    Summary,
)
from sasaeai.plans.services import evaluations as evaluation_services
from sasaeai.plans.services import reviews as review_services
from tests.plans.test_cycle_support import *  # noqa: F403
from tests.plans.test_cycle_support import PREFIX

Clients = Callable[[str | None], Client]


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def evaluation_url(evaluation: Evaluation, suffix: str = "") -> str:
    return f"{PREFIX}evaluations/{evaluation.pk}/{suffix}"


def entry(version: int, action: str = "save", **values: str) -> dict[str, Any]:
    data = {"results": "", "grade": "", "issues": "", "direction": "", "version": version}
    data.update(values)
    data["action"] = action
    return data


def textarea(text: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', text, re.S)
    assert match is not None, name
    return match.group(1)


# --- opening a cycle ---------------------------------------------------------------------


def test_secretariat_opens_a_cycle_with_years_typed_as_people_type_them(
    world: dict[str, Any], all_clients: Clients
) -> None:
    client = all_clients(Role.SECRETARIAT)
    response = client.post(
        f"{PREFIX}cycles/open/",
        {"plan": world["plan"].pk, "fiscal_year": "Ｒ７", "deadline": "令和8年6月30日"},
    )
    cycle = EvaluationCycle.objects.get(plan=world["plan"], fiscal_year=2025)
    assert response.status_code == 302
    assert response["Location"] == f"{PREFIX}cycles/{cycle.pk}/"
    assert (cycle.deadline, cycle.status) == (dt.date(2026, 6, 30), CycleStatus.OPEN)
    # one evaluation per initiative, none for the 再掲
    assert sorted(cycle.evaluations.values_list("initiative__number", "unit__code")) == [
        (1, "koreisha"),
        (2, "koreisha"),
        (3, "koreisha"),
        (4, "shogai"),
    ]
    event = AuditEvent.objects.filter(object_type="plans.EvaluationCycle").latest("id")
    assert (event.action, event.object_id, event.detail) == (
        "create",
        str(cycle.pk),
        "進捗調査を開始（取組 4 件）",
    )


def test_opening_a_cycle_explains_bad_input_and_creates_nothing(
    world: dict[str, Any], all_clients: Clients
) -> None:
    client = all_clients(Role.SECRETARIAT)
    cases = [
        (
            {"fiscal_year": "令和9年度", "deadline": ""},
            "令和9年度は計画「第1期計画」の期間外です。",
        ),
        ({"fiscal_year": "R6", "deadline": ""}, "令和6年度の進捗調査はすでにあります。"),
        ({"fiscal_year": "来年", "deadline": ""}, '"来年" は年度として読み取れません。'),
        ({"fiscal_year": "", "deadline": ""}, "調査する年度を入力してください。"),
        (
            {"fiscal_year": "R7", "deadline": "令和8年2月30日"},
            "存在しない日付です（2026年2月は28日までです）。",
        ),
    ]
    before = EvaluationCycle.objects.count()
    for values, message in cases:
        response = client.post(f"{PREFIX}cycles/open/", {"plan": world["plan"].pk, **values})
        assert response.status_code == 200
        assert message in page(response), values
    assert EvaluationCycle.objects.count() == before


# --- the dashboard -----------------------------------------------------------------------


def test_dashboard_shows_completion_by_department(
    world: dict[str, Any], all_clients: Clients
) -> None:
    evaluations = world["evaluations"]
    for number, state in ((1, "approved"), (2, "submitted"), (4, "returned")):
        Evaluation.objects.filter(pk=evaluations[number].pk).update(state=state)
    from sasaeai.plans.selectors.cycle import cycle_dashboard

    dashboard = cycle_dashboard(world["cycle"])
    assert [
        (
            row.name,
            row.progress.total,
            row.progress.draft,
            row.progress.returned,
            row.progress.submitted,
            row.progress.approved,
            row.progress.submitted_percent,
            row.progress.approved_percent,
        )
        for row in dashboard.units
    ] == [
        ("障害福祉課", 1, 0, 1, 0, 0, 0, 0),
        ("高齢者いきいき課", 3, 1, 0, 1, 1, 67, 33),
    ]
    total = dashboard.total
    assert (total.total, total.handed_in, total.submitted_percent, total.approved_percent) == (
        4,
        2,
        50,
        25,
    )
    response = all_clients(Role.SECRETARIAT).get(f"{PREFIX}cycles/{world['cycle'].pk}/")
    text = page(response)
    unit_link = f"{PREFIX}cycles/{world['cycle'].pk}/evaluations/?unit={evaluations[1].unit_id}"
    assert unit_link in text
    assert "67%" in text and "33%" in text
    # the department's list behind the link holds only that department's initiatives
    listing = page(all_clients(Role.SECRETARIAT).get(unit_link))
    assert ("取組1" in listing, "障害の取組" in listing) == (True, False)


def test_cycle_list_shows_each_cycle_with_its_completion(
    world: dict[str, Any], all_clients: Clients
) -> None:
    Evaluation.objects.filter(pk=world["evaluations"][1].pk).update(state="submitted")
    from sasaeai.plans.selectors.cycle import cycles_of

    rows = cycles_of(world["plan"].municipality, world["users"][Role.SECRETARIAT])
    assert [
        (r.cycle.fiscal_year, r.progress.total, r.progress.submitted_percent) for r in rows
    ] == [(2024, 4, 25), (2023, 4, 100)]
    text = page(all_clients(Role.SECRETARIAT).get(f"{PREFIX}cycles/"))
    assert "令和6年度" in text and "令和7年6月30日" in text and "進捗調査を開始する" in text
    assert "進捗調査を開始する" not in page(
        all_clients(Role.COMMITTEE_MEMBER).get(f"{PREFIX}cycles/")
    )


# --- departments: "my updates" -----------------------------------------------------------


def test_departments_see_only_their_own_initiatives(
    world: dict[str, Any], all_clients: Clients
) -> None:
    mine = page(all_clients(Role.DEPARTMENT).get(f"{PREFIX}evaluations/mine/"))
    assert re.findall(r'evaluations/(\d+)/"', mine) == [
        str(world["evaluations"][n].pk) for n in (1, 2, 3)
    ]
    assert "障害の取組" not in mine
    theirs = page(all_clients("dept2").get(f"{PREFIX}evaluations/mine/"))
    assert re.findall(r'evaluations/(\d+)/"', theirs) == [str(world["evaluations"][4].pk)]
    # nothing else: another department's evaluation, the cycle pages, the committee's pages
    client = all_clients(Role.DEPARTMENT)
    cycle = world["cycle"]
    for url in (
        evaluation_url(world["evaluations"][4]),
        f"{PREFIX}cycles/",
        f"{PREFIX}cycles/{cycle.pk}/",
        f"{PREFIX}cycles/{cycle.pk}/evaluations/",
        f"{PREFIX}cycles/{cycle.pk}/reviews/",
    ):
        assert client.get(url).status_code == 403, url


def test_my_updates_lists_only_open_cycles(world: dict[str, Any], all_clients: Clients) -> None:
    mine = page(all_clients(Role.DEPARTMENT).get(f"{PREFIX}evaluations/mine/"))
    assert "令和6年度 進捗調査" in mine
    assert "令和5年度" not in mine  # the closed 2023 cycle
    evaluation_services.cycle_close(
        actor=world["users"][Role.SECRETARIAT], cycle=world["cycle"], leave_unapproved=True
    )
    mine = page(all_clients(Role.DEPARTMENT).get(f"{PREFIX}evaluations/mine/"))
    assert "いま入力を受け付けている進捗調査で、あなたの課が担当する取組はありません。" in mine


def test_form_shows_last_year_beside_and_hints_on_textareas(
    world: dict[str, Any], all_clients: Clients
) -> None:
    text = page(all_clients(Role.DEPARTMENT).get(evaluation_url(world["evaluations"][2])))
    assert "前年度（令和5年度）の入力" in text
    assert "前年度の実績2" in text and "前年度の課題" in text
    assert re.search(r'<textarea name="results"[^>]*data-plainlang-hints', text)
    assert re.search(r'<textarea name="issues"[^>]*data-plainlang-hints', text)
    assert re.findall(r'type="radio" name="grade" value="(\w)"', text) == ["A", "B", "C", "D"]
    assert re.findall(r'type="radio" name="direction" value="([^"]+)"', text) == [
        "拡充",
        "継続",
        "見直し",
        "終了",
    ]
    assert '<input type="hidden" name="version" value="1" id="id_version">' in text


def test_grade_and_direction_choices_follow_the_plan(
    world: dict[str, Any], all_clients: Clients
) -> None:
    plan = world["plan"]
    plan.grades = [{"code": "S", "label": "大変順調"}, {"code": "A", "label": "順調"}]
    plan.directions = ["継続", "廃止"]
    plan.save()
    text = page(all_clients(Role.DEPARTMENT).get(evaluation_url(world["evaluations"][1])))
    assert re.findall(r'type="radio" name="grade" value="(\w)"', text) == ["S", "A"]
    assert re.findall(r'type="radio" name="direction" value="([^"]+)"', text) == ["継続", "廃止"]


def test_department_saves_then_submits(world: dict[str, Any], all_clients: Clients) -> None:
    client = all_clients(Role.DEPARTMENT)
    evaluation = world["evaluations"][1]
    response = client.post(
        evaluation_url(evaluation), entry(1, results="  相談会を12回開いた。 ", grade="B")
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.results, evaluation.grade, evaluation.state, evaluation.version) == (
        "相談会を12回開いた。",
        "B",
        "draft",
        2,
    )
    assert evaluation.updated_by == world["users"][Role.DEPARTMENT]
    response = client.post(
        evaluation_url(evaluation),
        entry(2, "submit", results="相談会を12回開いた。", grade="B", direction="継続"),
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.state, evaluation.direction, evaluation.version) == ("submitted", "継続", 4)
    # once submitted, the department sees it read-only
    text = page(client.get(evaluation_url(evaluation)))
    assert 'name="results"' not in text and "相談会を12回開いた。" in text


def test_incomplete_submit_saves_nothing_and_keeps_the_text(
    world: dict[str, Any], all_clients: Clients
) -> None:
    evaluation = world["evaluations"][1]
    response = all_clients(Role.DEPARTMENT).post(
        evaluation_url(evaluation), entry(1, "submit", results="途中まで書いた")
    )
    text = page(response)
    assert response.status_code == 200
    assert "提出する前に 評価、今後の方向性 を入力してください。" in text
    assert textarea(text, "results") == "途中まで書いた"
    evaluation.refresh_from_db()
    assert (evaluation.results, evaluation.state, evaluation.version) == ("", "draft", 1)


def test_a_grade_not_on_the_scale_is_refused(world: dict[str, Any], all_clients: Clients) -> None:
    evaluation = world["evaluations"][1]
    response = all_clients(Role.DEPARTMENT).post(
        evaluation_url(evaluation), entry(1, results="書いた", grade="Z")
    )
    assert "評価「Z」は使えません。選択肢から選んでください。" in page(response)
    evaluation.refresh_from_db()
    assert (evaluation.results, evaluation.version) == ("", 1)


def test_copy_forward_takes_last_years_text_but_not_the_grade(
    world: dict[str, Any], all_clients: Clients
) -> None:
    evaluation = world["evaluations"][3]
    response = all_clients(Role.DEPARTMENT).post(
        evaluation_url(evaluation, "copy-forward/"), {"version": 1}
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (
        evaluation.results,
        evaluation.issues,
        evaluation.direction,
        evaluation.grade,
        evaluation.version,
    ) == ("前年度の実績3", "前年度の課題", "継続", "", 2)


def test_copy_forward_with_an_old_version_is_refused(
    world: dict[str, Any], all_clients: Clients
) -> None:
    evaluation = world["evaluations"][3]
    client = all_clients(Role.DEPARTMENT)
    client.post(evaluation_url(evaluation), entry(1, results="今年の内容"))
    response = client.post(evaluation_url(evaluation, "copy-forward/"), {"version": 1}, follow=True)
    assert "ほかの人がこの評価を先に保存しました" in page(response)
    evaluation.refresh_from_db()
    assert (evaluation.results, evaluation.version) == ("今年の内容", 2)


# --- no lost updates ---------------------------------------------------------------------


def test_the_later_of_two_saves_is_refused_and_keeps_its_text(
    world: dict[str, Any], all_clients: Clients, make_user: Callable[..., Any]
) -> None:
    colleague = make_user(Role.DEPARTMENT, username="koreisha-2")
    colleague.display_name = "高齢 二郎"
    colleague.save()
    evaluation = world["evaluations"][1]
    first = all_clients(Role.DEPARTMENT)
    second = all_clients(None)
    from tests.conftest import login

    login(second, colleague)
    # both load the same form (version 1)
    for client in (first, second):
        text = page(client.get(evaluation_url(evaluation)))
        assert 'name="version" value="1"' in text
    saved = first.post(evaluation_url(evaluation), entry(1, results="一人目の入力", grade="A"))
    assert saved.status_code == 302
    refused = second.post(evaluation_url(evaluation), entry(1, results="二人目の入力", grade="C"))
    text = page(refused)
    assert refused.status_code == 200
    assert (
        "ほかの人がこの評価を先に保存しました（department の利用者）。入力内容は保存していません。"
        in text
    )
    assert textarea(text, "results") == "二人目の入力"
    assert 'value="C" id="id_grade_2" checked' in text
    assert "最新の保存内容（ほかの人が保存したもの）" in text and "一人目の入力" in text
    evaluation.refresh_from_db()
    assert (evaluation.results, evaluation.grade, evaluation.version) == ("一人目の入力", "A", 2)
    assert evaluation.updated_by == world["users"][Role.DEPARTMENT]
    # saving again from the conflict page is a deliberate choice after seeing the other text
    assert 'name="version" value="2"' in text


def test_summary_conflict_keeps_the_text_and_saves_nothing(
    world: dict[str, Any], all_clients: Clients
) -> None:
    cycle, goal = world["cycle"], world["goals"][0]
    url = f"{PREFIX}cycles/{cycle.pk}/goals/{goal.pk}/summary/"
    blank = {f"body_{i}": "" for i in range(5)} | {f"version_{i}": 0 for i in range(5)}
    first, second = all_clients(Role.SECRETARIAT), all_clients(Role.SECRETARIAT)
    assert first.post(url, blank | {"body_0": "一人目の社会動向"}).status_code == 302
    response = second.post(url, blank | {"body_0": "二人目の社会動向", "body_1": "状況"})
    text = page(response)
    assert response.status_code == 200
    assert "ほかの人がこの総括（❶社会動向）を先に保存しました" in text
    assert textarea(text, "body_0") == "二人目の社会動向"
    assert list(Summary.objects.filter(cycle=cycle).values_list("heading", "body", "version")) == [
        ("❶社会動向", "一人目の社会動向", 1)
    ]


# --- approve and return ------------------------------------------------------------------


def _submitted(world: dict[str, Any], number: int) -> Evaluation:
    user = world["users"][Role.DEPARTMENT if number < 4 else "dept2"]
    evaluation = world["evaluations"][number]
    saved = evaluation_services.evaluation_save(
        actor=user,
        evaluation=evaluation,
        expected_version=evaluation.version,
        results="実施した",
        grade="B",
        issues="",
        direction="継続",
    )
    return evaluation_services.evaluation_submit(
        actor=user, evaluation=saved, expected_version=saved.version
    )


def test_secretariat_approves_from_the_list(world: dict[str, Any], all_clients: Clients) -> None:
    evaluation = _submitted(world, 2)
    client = all_clients(Role.SECRETARIAT)
    listing = f"{PREFIX}cycles/{world['cycle'].pk}/evaluations/"
    assert f'action="{evaluation_url(evaluation, "approve/")}"' in page(client.get(listing))
    response = client.post(
        evaluation_url(evaluation, "approve/"), {"version": evaluation.version, "next": listing}
    )
    assert (response.status_code, response["Location"]) == (302, listing)
    evaluation.refresh_from_db()
    assert evaluation.state == "approved"
    # approving again with the old version is refused and changes nothing
    response = client.post(
        evaluation_url(evaluation, "approve/"), {"version": 3, "next": "https://evil.example/"}
    )
    assert response["Location"] == evaluation_url(evaluation)
    evaluation.refresh_from_db()
    assert (evaluation.state, evaluation.version) == ("approved", 4)


def test_return_needs_a_comment_and_the_department_sees_it(
    world: dict[str, Any], all_clients: Clients
) -> None:
    evaluation = _submitted(world, 1)
    client = all_clients(Role.SECRETARIAT)
    response = client.post(
        evaluation_url(evaluation, "return/"), {"version": evaluation.version, "comment": " "}
    )
    assert "差し戻しの理由を入力してください。" in page(response)
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted"
    response = client.post(
        evaluation_url(evaluation, "return/"),
        {"version": evaluation.version, "comment": "実績の数値を書いてください。"},
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.state, evaluation.return_comment) == (
        "returned",
        "実績の数値を書いてください。",
    )
    department = all_clients(Role.DEPARTMENT)
    for url in (f"{PREFIX}evaluations/mine/", evaluation_url(evaluation)):
        assert "実績の数値を書いてください。" in page(department.get(url))
    # a returned evaluation can be edited and submitted again
    assert 'name="results"' in page(department.get(evaluation_url(evaluation)))


def test_history_lists_every_change_newest_first(
    world: dict[str, Any], all_clients: Clients
) -> None:
    evaluation = _submitted(world, 1)
    evaluation_services.evaluation_return(
        actor=world["users"][Role.SECRETARIAT],
        evaluation=evaluation,
        expected_version=evaluation.version,
        comment="直してください",
    )
    from sasaeai.plans.selectors.cycle import evaluation_history

    rows = evaluation_history(evaluation)
    assert [(r.event.actor_label, r.event.detail) for r in rows] == [
        ("user-secretariat", "差し戻し"),
        ("user-department", "提出"),
        ("user-department", ""),
    ]
    assert rows[0].changes == [
        ("状態", "提出済み", "差し戻し"),
        ("差し戻しの理由", "", "直してください"),
    ]
    assert rows[2].changes == [
        ("実施内容・実績", "", "実施した"),
        ("評価", "", "B"),
        ("今後の方向性", "", "継続"),
    ]
    text = page(all_clients(Role.DEPARTMENT).get(evaluation_url(evaluation)))
    history = text[text.index("変更の履歴") :]
    assert (
        history.index("変更（差し戻し）")
        < history.index("変更（提出）")
        < history.index("実施した")
    )


# --- closing -----------------------------------------------------------------------------


def test_closing_needs_confirmation(world: dict[str, Any], all_clients: Clients) -> None:
    cycle = world["cycle"]
    client = all_clients(Role.SECRETARIAT)
    url = f"{PREFIX}cycles/{cycle.pk}/close/"
    text = page(client.get(url))
    assert "取組 4 件のうち、提出済み 0 件（うち承認済み 0 件）、未提出 4 件です。" in text
    response = client.post(url, {})
    assert "締め切る前に、確認の欄にチェックを入れてください。" in page(response)
    cycle.refresh_from_db()
    assert cycle.status == "open"
    assert client.post(url, {"confirm": "on", "leave_unapproved": "on"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == "closed"
    event = AuditEvent.objects.filter(object_type="plans.EvaluationCycle").latest("id")
    assert event.changes == {"status": ["open", "closed"]}
    assert event.detail == "承認していない評価 4 件（入力中 4 件）を残して締切"
    assert "この進捗調査はすでに締め切られています。" in page(client.post(url, {"confirm": "on"}))


def test_a_closed_cycle_is_read_only_everywhere(
    world: dict[str, Any], all_clients: Clients
) -> None:
    evaluation = _submitted(world, 2)
    draft = world["evaluations"][1]
    cycle, goal = world["cycle"], world["goals"][0]
    committee = world["users"][Role.COMMITTEE_MEMBER]
    review = review_services.review_create(
        actor=committee, cycle=cycle, kind=ReviewKind.GOAL_REVIEW, goal=goal, body="講評"
    )
    evaluation_services.cycle_close(
        actor=world["users"][Role.SECRETARIAT], cycle=cycle, leave_unapproved=True
    )

    def state() -> list[Any]:
        return [
            list(Evaluation.objects.order_by("pk").values()),
            list(Review.objects.order_by("pk").values()),
            list(Summary.objects.order_by("pk").values()),
            AuditEvent.objects.count(),
        ]

    before = state()
    locked = "この進捗調査は締め切られているため、変更できません。"
    department = all_clients(Role.DEPARTMENT)
    secretariat = all_clients(Role.SECRETARIAT)
    member = all_clients(Role.COMMITTEE_MEMBER)
    # no form is offered …
    assert 'name="results"' not in page(department.get(evaluation_url(draft)))
    assert 'name="results"' not in page(secretariat.get(evaluation_url(draft)))
    assert "承認する" not in page(secretariat.get(evaluation_url(evaluation)))
    board = page(secretariat.get(f"{PREFIX}cycles/{cycle.pk}/reviews/"))
    assert "総括を書く" not in board and "市の対応を記録する" not in board
    assert "講評を書く" not in page(member.get(f"{PREFIX}cycles/{cycle.pk}/reviews/"))
    # … and every write is refused with the same message
    assert locked in page(department.post(evaluation_url(draft), entry(1, results="遅れて")))
    assert locked in page(secretariat.post(evaluation_url(draft), entry(1, results="事務局")))
    secretariat.post(evaluation_url(evaluation, "approve/"), {"version": evaluation.version})
    secretariat.post(
        evaluation_url(evaluation, "return/"), {"version": evaluation.version, "comment": "x"}
    )
    department.post(evaluation_url(draft, "copy-forward/"), {"version": 1})
    assert locked in page(
        member.post(f"{PREFIX}cycles/{cycle.pk}/goals/{goal.pk}/reviews/new/", {"body": "遅い"})
    )
    assert locked in page(
        member.post(f"{PREFIX}reviews/{review.pk}/edit/", {"body": "直", "version": 1})
    )
    assert locked in page(
        secretariat.post(
            f"{PREFIX}reviews/{review.pk}/respond/", {"city_response": "対応", "version": 1}
        )
    )
    secretariat.post(f"{PREFIX}reviews/{review.pk}/publish/", {"is_published": "on", "version": 1})
    summary = {f"body_{i}": "総括" for i in range(5)} | {f"version_{i}": 0 for i in range(5)}
    assert locked in page(
        secretariat.post(f"{PREFIX}cycles/{cycle.pk}/goals/{goal.pk}/summary/", summary)
    )
    assert state() == before


# --- the committee -----------------------------------------------------------------------


def test_committee_sees_the_whole_cycle_read_only(
    world: dict[str, Any], all_clients: Clients
) -> None:
    client = all_clients(Role.COMMITTEE_MEMBER)
    listing = page(client.get(f"{PREFIX}cycles/{world['cycle'].pk}/evaluations/"))
    assert re.findall(r'evaluations/(\d+)/"', listing) == [
        str(world["evaluations"][n].pk) for n in (1, 2, 3, 4)
    ]
    assert "承認する" not in listing
    text = page(client.get(evaluation_url(world["evaluations"][4])))
    assert 'name="results"' not in text and "前年度の内容を引用する" not in text
    assert "この取組にコメントする" in text


def test_committee_reviews_and_the_city_responds(
    world: dict[str, Any], all_clients: Clients
) -> None:
    cycle, goal = world["cycle"], world["goals"][0]
    initiative = world["initiatives"][1]
    member = all_clients(Role.COMMITTEE_MEMBER)
    empty = member.post(f"{PREFIX}cycles/{cycle.pk}/goals/{goal.pk}/reviews/new/", {"body": ""})
    assert "内容を入力してください。" in page(empty)
    response = member.post(
        f"{PREFIX}cycles/{cycle.pk}/goals/{goal.pk}/reviews/new/",
        {"body": "相談の入口が増えたことを評価します。", "version": 0},
    )
    assert response.status_code == 302
    response = member.post(
        f"{PREFIX}cycles/{cycle.pk}/initiatives/{initiative.pk}/comments/new/",
        {"body": "周知を広げてください。", "version": 0},
    )
    assert response.status_code == 302
    review, comment = Review.objects.order_by("pk")
    assert (review.kind, review.goal_id, review.author_label, review.body) == (
        "goal_review",
        goal.pk,
        "committee_member の利用者",
        "相談の入口が増えたことを評価します。",
    )
    assert (comment.kind, comment.initiative_id) == ("initiative_comment", initiative.pk)
    secretariat = all_clients(Role.SECRETARIAT)
    response = secretariat.post(
        f"{PREFIX}reviews/{comment.pk}/respond/",
        {"city_response": "広報紙で周知します。", "version": 1},
    )
    assert response.status_code == 302
    secretariat.post(f"{PREFIX}reviews/{comment.pk}/publish/", {"is_published": "on", "version": 2})
    comment.refresh_from_db()
    assert (comment.city_response, comment.is_published, comment.version) == (
        "広報紙で周知します。",
        True,
        3,
    )
    assert AuditEvent.objects.filter(object_type="plans.Review", action="publish").count() == 1
    board = page(secretariat.get(f"{PREFIX}cycles/{cycle.pk}/reviews/"))
    goal1 = board[board.index('id="goal-1"') : board.index('id="goal-2"')]
    assert "相談の入口が増えたことを評価します。" in goal1
    assert "周知を広げてください。" in goal1 and "広報紙で周知します。" in goal1
    # the comment shows on the initiative's page too
    text = page(member.get(evaluation_url(world["evaluations"][2])))
    assert "周知を広げてください。" in text and "広報紙で周知します。" in text


def test_only_the_author_edits_a_review(
    world: dict[str, Any], all_clients: Clients, make_user: Callable[..., Any]
) -> None:
    cycle, goal = world["cycle"], world["goals"][0]
    author = world["users"][Role.COMMITTEE_MEMBER]
    review = review_services.review_create(
        actor=author, cycle=cycle, kind=ReviewKind.GOAL_REVIEW, goal=goal, body="最初の講評"
    )
    other = make_user(Role.COMMITTEE_MEMBER, username="iin-2")
    from tests.conftest import login

    stranger = login(Client(), other)
    url = f"{PREFIX}reviews/{review.pk}/edit/"
    assert stranger.get(url).status_code == 403
    assert stranger.post(url, {"body": "書き換え", "version": 1}).status_code == 403
    client = all_clients(Role.COMMITTEE_MEMBER)
    assert textarea(page(client.get(url)), "body") == "最初の講評"
    assert client.post(url, {"body": "直した講評", "version": 1}).status_code == 302
    stale = page(client.post(url, {"body": "古い画面から", "version": 1}))
    assert "ほかの人がこの講評（基本目標）を先に保存しました" in stale
    assert textarea(stale, "body") == "古い画面から"
    assert "最新の保存内容（ほかの人が保存したもの）" in stale and "直した講評" in stale
    assert 'name="version" value="2"' in stale
    review.refresh_from_db()
    assert (review.body, review.version) == ("直した講評", 2)


def test_summary_uses_the_plans_headings(world: dict[str, Any], all_clients: Clients) -> None:
    plan = world["plan"]
    plan.summary_headings = ["成果", "課題"]
    plan.save()
    cycle, goal = world["cycle"], world["goals"][1]
    url = f"{PREFIX}cycles/{cycle.pk}/goals/{goal.pk}/summary/"
    client = all_clients(Role.SECRETARIAT)
    text = page(client.get(url))
    assert re.findall(r'<label for="id_body_\d">([^<]+)</label>', text) == ["成果", "課題"]
    response = client.post(
        url, {"body_0": "情報提供が進んだ", "version_0": 0, "body_1": "", "version_1": 0}
    )
    assert response.status_code == 302
    assert list(Summary.objects.values_list("goal_id", "heading", "body", "version")) == [
        (goal.pk, "成果", "情報提供が進んだ", 1)
    ]
    board = page(client.get(f"{PREFIX}cycles/{cycle.pk}/reviews/"))
    assert "情報提供が進んだ" in board


def test_the_evaluation_page_has_unique_ids(world: dict[str, Any], all_clients: Clients) -> None:
    evaluation = _submitted(world, 1)
    text = page(all_clients(Role.SECRETARIAT).get(evaluation_url(evaluation)))
    assert 'name="results"' in text and "差し戻す" in text and "承認する" in text
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_a_refused_save_never_loses_the_users_text(
    world: dict[str, Any], all_clients: Clients
) -> None:
    # the colleague submitted in between: the form is no longer offered, the text is shown
    evaluation = _submitted(world, 1)
    response = all_clients(Role.DEPARTMENT).post(
        evaluation_url(evaluation), entry(1, results="古い画面で書いた文章")
    )
    text = page(response)
    assert "ほかの人がこの評価を先に保存しました" in text
    assert 'name="results"' not in text
    assert "あなたの入力（保存していません）" in text and "古い画面で書いた文章" in text
    evaluation.refresh_from_db()
    assert (evaluation.results, evaluation.state) == ("実施した", "submitted")


def test_a_stale_city_response_is_refused_and_kept(
    world: dict[str, Any], all_clients: Clients
) -> None:
    review = review_services.review_create(
        actor=world["users"][Role.COMMITTEE_MEMBER],
        cycle=world["cycle"],
        kind=ReviewKind.GOAL_REVIEW,
        goal=world["goals"][0],
        body="講評",
    )
    url = f"{PREFIX}reviews/{review.pk}/respond/"
    first, second = all_clients(Role.SECRETARIAT), all_clients(Role.SECRETARIAT)
    assert first.post(url, {"city_response": "先の対応", "version": 1}).status_code == 302
    text = page(second.post(url, {"city_response": "後の対応", "version": 1}))
    assert "ほかの人がこの講評（基本目標）を先に保存しました" in text
    assert textarea(text, "city_response") == "後の対応" and "先の対応" in text
    review.refresh_from_db()
    assert (review.city_response, review.version) == ("先の対応", 2)
