"""Forms of the staff directory pages: a service with its organisation, places, phones and
schedules (formsets, so the page works without JavaScript), and the list filters."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from sasaeai.accounts.models import District, Town
from sasaeai.core.weburl import WEB_URL_MESSAGE, validate_web_url
from sasaeai.directory.models import Frequency, Organization, ServiceStatus
from sasaeai.directory.services import LocationInput, PhoneInput, ScheduleInput, ServiceInput

PLAIN_HINTS = {"data-plainlang-hints": ""}
WEEKDAYS = [
    ("MO", _("月")),
    ("TU", _("火")),
    ("WE", _("水")),
    ("TH", _("木")),
    ("FR", _("金")),
    ("SA", _("土")),
    ("SU", _("日")),
]
WEEKS = [
    ("1", _("第1")),
    ("2", _("第2")),
    ("3", _("第3")),
    ("4", _("第4")),
    ("5", _("第5")),
    ("-1", _("最終")),
]
FREE_CHOICES = [("", _("書かない")), ("yes", _("無料")), ("no", _("有料"))]
#: Django's own message for a NUL character reads 「何か文字を入力してください。」 in Japanese
NUL_MESSAGE = _("使えない文字（NUL 文字）が含まれています。入力し直してください。")


def _typed(mode: str) -> forms.TextInput:
    """A text box with a phone/tablet keyboard hint (number boxes are too narrow here)."""
    return forms.TextInput(attrs={"inputmode": mode})


def _textarea(rows: int, hints: bool = True) -> forms.Textarea:
    attrs = {"rows": str(rows)}
    if hints:
        attrs.update(PLAIN_HINTS)
    return forms.Textarea(attrs=attrs)


class WebURLField(forms.URLField):
    """Django's URL field checked by the one web-address rule: http(s) only (``core.weburl``)."""

    default_validators = [validate_web_url]


def _website_field() -> forms.URLField:
    """A service's or organisation's web site (https:// assumed when left out)."""
    return WebURLField(
        label=_("ウェブサイト"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=_typed("url"),
        error_messages={"invalid": WEB_URL_MESSAGE},
    )


def _email_field() -> forms.EmailField:
    return forms.EmailField(
        label=_("メールアドレス"),
        required=False,
        error_messages={"invalid": _("メールアドレスの形が正しくありません。")},
    )


class LoadedAtField(forms.CharField):
    """When the edit page was loaded (the entry's ``updated_at``), carried in a hidden field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.datetime | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(
                _("画面の版の情報が正しくありません。画面を読み込み直してください。")
            ) from None


class ServiceForm(forms.Form):
    organization = forms.ChoiceField(
        label=_("実施する団体"),
        required=False,
        help_text=_("一覧にない場合は、下の「新しい団体の名称」に入力してください。"),
        error_messages={"invalid_choice": _("選んだ団体が見つかりません。選び直してください。")},
    )
    new_organization_name = forms.CharField(
        label=_("新しい団体の名称"), required=False, max_length=300
    )
    new_organization_kana = forms.CharField(
        label=_("新しい団体の名称のよみがな"),
        required=False,
        max_length=300,
        help_text=_("空欄なら自動で付けます。"),
    )
    name = forms.CharField(
        label=_("サービスの名称"),
        max_length=300,
        error_messages={"required": _("サービスの名称を入力してください。")},
    )
    name_kana = forms.CharField(
        label=_("名称のよみがな"),
        required=False,
        max_length=300,
        help_text=_(
            "空欄なら名称から自動で付けます（付いたよみを確かめて、違っていたら直してください）。"
        ),
    )
    alternate_name = forms.CharField(label=_("別名・通称"), required=False, max_length=300)
    description = forms.CharField(
        label=_("内容（どんなことをしているか）"),
        required=False,
        widget=_textarea(5),
        help_text=_("短く、やさしいことばで書いてください。冊子にもこのまま載ります。"),
    )
    eligibility_description = forms.CharField(
        label=_("対象となる人"), required=False, widget=_textarea(3)
    )
    application_process = forms.CharField(
        label=_("利用の方法（申し込み）"), required=False, widget=_textarea(3)
    )
    fees_description = forms.CharField(label=_("費用"), required=False, widget=_textarea(2))
    is_free = forms.ChoiceField(label=_("無料か有料か"), required=False, choices=FREE_CHOICES)
    minimum_age = forms.IntegerField(
        label=_("対象年齢（下限）"),
        required=False,
        min_value=0,
        max_value=150,
        widget=_typed("numeric"),
    )
    maximum_age = forms.IntegerField(
        label=_("対象年齢（上限）"),
        required=False,
        min_value=0,
        max_value=150,
        widget=_typed("numeric"),
    )
    url = _website_field()
    email = _email_field()
    alert = forms.CharField(
        label=_("お知らせ（休止・変更など）"), required=False, widget=_textarea(2)
    )
    targets = forms.MultipleChoiceField(
        label=_("対象"), required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("分類"), required=False, widget=forms.CheckboxSelectMultiple
    )
    maintainer = forms.ChoiceField(label=_("情報を管理する団体"), required=False)
    loaded_at = LoadedAtField()

    def __init__(
        self,
        *args: Any,
        organizations: Sequence[Organization],
        maintainers: Sequence[tuple[int, str]],
        allow_no_maintainer: bool,
        targets: Sequence[tuple[str, str]],
        categories: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._organizations = {str(o.pk): o for o in organizations}
        org_field = self.fields["organization"]
        assert isinstance(org_field, forms.ChoiceField)
        org_field.choices = [("", _("（選んでください）"))] + [
            (str(o.pk), o.name) for o in organizations
        ]
        maintainer = self.fields["maintainer"]
        assert isinstance(maintainer, forms.ChoiceField)
        empty = [("", _("（団体の設定に従う）"))] if allow_no_maintainer else []
        maintainer.choices = empty + [(str(pk), name) for pk, name in maintainers]
        maintainer.required = not allow_no_maintainer
        maintainer.error_messages["required"] = _("情報を管理する団体を選んでください。")
        for name, choices in (("targets", targets), ("categories", categories)):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = list(choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "organization" in self.errors:  # a choice not offered (already said so)
            return data
        if not data.get("organization") and not (data.get("new_organization_name") or "").strip():
            self.add_error(
                "organization",
                _("実施する団体を選ぶか、新しい団体の名称を入力してください。"),
            )
        return data

    def organization_choice(self) -> Organization | None:
        return self._organizations.get(self.cleaned_data.get("organization") or "")

    def service_input(self) -> ServiceInput:
        data = self.cleaned_data
        free = data.get("is_free") or ""
        maintainer = data.get("maintainer") or ""
        return ServiceInput(
            name=data["name"],
            name_kana=data.get("name_kana", ""),
            alternate_name=data.get("alternate_name", ""),
            description=data.get("description", ""),
            eligibility_description=data.get("eligibility_description", ""),
            application_process=data.get("application_process", ""),
            fees_description=data.get("fees_description", ""),
            is_free=True if free == "yes" else False if free == "no" else None,
            url=data.get("url", ""),
            email=data.get("email", ""),
            alert=data.get("alert", ""),
            minimum_age=data.get("minimum_age"),
            maximum_age=data.get("maximum_age"),
            maintainer_id=int(maintainer) if maintainer else None,
        )

    def term_codes(self) -> list[str]:
        return [*self.cleaned_data.get("targets", []), *self.cleaned_data.get("categories", [])]


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class LocationForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("場所の名称"), required=False, max_length=300)
    district = forms.ChoiceField(label=_("行政地区"), required=False)
    town = forms.ChoiceField(label=_("町丁目"), required=False)
    postal_code = forms.CharField(label=_("郵便番号"), required=False, max_length=10)
    address_1 = forms.CharField(
        label=_("町名・番地"),
        required=False,
        max_length=300,
        help_text=_("市の名前より後を書きます。例: 大船二丁目1番1号"),
    )
    address_2 = forms.CharField(label=_("建物名など"), required=False, max_length=300)
    latitude = forms.DecimalField(
        label=_("緯度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=_typed("decimal"),
        error_messages={"invalid": _("緯度は 35.3192 のように数字で入力してください。")},
    )
    longitude = forms.DecimalField(
        label=_("経度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=_typed("decimal"),
        error_messages={"invalid": _("経度は 139.5467 のように数字で入力してください。")},
    )
    transportation = forms.CharField(label=_("行き方（交通）"), required=False, widget=_textarea(2))

    def __init__(
        self,
        *args: Any,
        districts: Sequence[District] = (),
        towns: Sequence[Town] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        town = self.fields["town"]
        assert isinstance(district, forms.ChoiceField) and isinstance(town, forms.ChoiceField)
        district.choices = [("", _("（選んでください）"))] + [
            (str(d.pk), d.name) for d in districts
        ]
        names = {d.pk: d.name for d in districts}
        town.choices = [("", _("（選んでください）"))] + [
            (str(t.pk), f"{t.name}（{names.get(t.district_id, '')}）") for t in towns
        ]

    def to_input(self) -> LocationInput:
        data = self.cleaned_data
        return LocationInput(
            id=_uuid_or_none(data.get("id")),
            name=data.get("name", ""),
            district_id=int(data["district"]) if data.get("district") else None,
            town_id=int(data["town"]) if data.get("town") else None,
            postal_code=data.get("postal_code", ""),
            address_1=data.get("address_1", ""),
            address_2=data.get("address_2", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            transportation=data.get("transportation", ""),
        )


class PhoneForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    number = forms.CharField(
        label=_("電話番号"),
        required=False,
        max_length=30,
        help_text=_("例: 0467-23-3000"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    extension = forms.IntegerField(
        label=_("内線"), required=False, min_value=0, widget=_typed("numeric")
    )
    type = forms.ChoiceField(
        label=_("種類"),
        required=False,
        choices=[("voice", _("電話")), ("fax", _("ファクス")), ("cell", _("携帯電話"))],
    )
    description = forms.CharField(
        label=_("説明"), required=False, max_length=300, help_text=_("例: 受付専用")
    )

    def has_content(self) -> bool:
        return bool(self.cleaned_data.get("number", "").strip())

    def to_input(self) -> PhoneInput:
        data = self.cleaned_data
        return PhoneInput(
            id=_uuid_or_none(data.get("id")),
            number=data.get("number", ""),
            extension=data.get("extension"),
            type=data.get("type") or "voice",
            description=data.get("description", ""),
        )


class ScheduleForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    freq = forms.ChoiceField(
        label=_("繰り返し"),
        required=False,
        choices=[("", _("なし（説明だけ）")), *Frequency.choices],
    )
    weekdays = forms.MultipleChoiceField(
        label=_("曜日"), required=False, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    weeks = forms.MultipleChoiceField(
        label=_("毎月の週（毎月の場合）"),
        required=False,
        choices=WEEKS,
        widget=forms.CheckboxSelectMultiple,
    )
    byday_other = forms.CharField(
        label=_("曜日の細かい指定（必要なときだけ）"),
        required=False,
        max_length=50,
        help_text=_(
            "週ごとに曜日が違うとき。例: 2WE,4FR（第2水曜と第4金曜）。入れるとこちらを使います。"
        ),
    )
    bymonthday = forms.CharField(
        label=_("毎月の日（毎月の場合）"),
        required=False,
        max_length=50,
        help_text=_("例: 15（毎月15日）、1,15。月末は -1"),
    )
    opens_at = forms.TimeField(
        label=_("開始時刻"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("開始時刻は 10:00 のように入力してください。")},
    )
    closes_at = forms.TimeField(
        label=_("終了時刻"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("終了時刻は 15:30 のように入力してください。")},
    )
    closed_on_holidays = forms.BooleanField(label=_("祝日は休み"), required=False)
    closed_year_end = forms.BooleanField(label=_("年末年始は休み"), required=False)
    description = forms.CharField(
        label=_("日時の説明"),
        required=False,
        widget=_textarea(2),
        help_text=_("例: 雨の日は中止。8月はお休み。"),
    )

    @staticmethod
    def initial_for(schedule: Any) -> dict[str, Any]:
        """Split a stored byday into weekday / week checkboxes when it is a simple product."""
        items = [i for i in schedule.byday.split(",") if i]
        weekdays: list[str] = []
        weeks: list[str] = []
        other = ""
        if schedule.freq == Frequency.WEEKLY:
            weekdays = items
        elif items:
            pairs = [(i[:-2], i[-2:]) for i in items]
            days = sorted({d for _w, d in pairs}, key=[c for c, _l in WEEKDAYS].index)
            nums = sorted(
                {w for w, _d in pairs},
                key=lambda w: (
                    [c for c, _l in WEEKS].index(w) if w in [c for c, _l in WEEKS] else 99
                ),
            )
            if all(w for w, _d in pairs) and len(pairs) == len(days) * len(nums):
                weekdays, weeks = days, nums
            else:
                other = schedule.byday
        return {
            "id": str(schedule.pk),
            "freq": schedule.freq,
            "weekdays": weekdays,
            "weeks": weeks,
            "byday_other": other,
            "bymonthday": schedule.bymonthday,
            "opens_at": schedule.opens_at,
            "closes_at": schedule.closes_at,
            "closed_on_holidays": schedule.closed_on_holidays,
            "closed_year_end": schedule.closed_year_end,
            "description": schedule.description,
        }

    def has_content(self) -> bool:
        data = self.cleaned_data
        return any(
            data.get(k)
            for k in (
                "freq",
                "weekdays",
                "weeks",
                "byday_other",
                "bymonthday",
                "opens_at",
                "closes_at",
                "description",
            )
        )

    def to_input(self) -> ScheduleInput:
        data = self.cleaned_data
        freq = data.get("freq") or ""
        byday = (data.get("byday_other") or "").strip()
        if not byday:
            days = data.get("weekdays") or []
            if freq == Frequency.MONTHLY and data.get("weeks"):
                byday = ",".join(f"{w}{d}" for w in data["weeks"] for d in days)
            elif freq == Frequency.MONTHLY and days and not data.get("weeks"):
                byday = ",".join(days)  # refused by the service: a month needs its week
            else:
                byday = ",".join(days)
        return ScheduleInput(
            id=_uuid_or_none(data.get("id")),
            freq=freq,
            byday=byday,
            bymonthday=data.get("bymonthday", ""),
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            closed_on_holidays=bool(data.get("closed_on_holidays")),
            closed_year_end=bool(data.get("closed_year_end")),
            description=data.get("description", ""),
        )


LocationFormSet = formset_factory(LocationForm, extra=0, can_delete=True)
PhoneFormSet = formset_factory(PhoneForm, extra=0, can_delete=True)
ScheduleFormSet = formset_factory(ScheduleForm, extra=0, can_delete=True)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状態"), choices=ServiceStatus.choices)


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("名称で探す"),
        required=False,
        max_length=100,
        error_messages={"null_characters_not_allowed": NUL_MESSAGE},
    )
    district = forms.ChoiceField(label=_("行政地区"), required=False)
    category = forms.ChoiceField(label=_("分類"), required=False)
    maintainer = forms.ChoiceField(label=_("情報を管理する団体"), required=False)
    stale = forms.BooleanField(label=_("1年以上確認していないものだけ"), required=False)
    scope = forms.ChoiceField(
        label=_("表示する範囲"),
        required=False,
        choices=[("mine", _("編集できるもの")), ("all", _("すべて"))],
    )

    def __init__(
        self,
        *args: Any,
        districts: Sequence[tuple[str, str]],
        categories: Sequence[tuple[str, str]],
        maintainers: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("district", districts),
            ("category", categories),
            ("maintainer", maintainers),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("すべて")), *list(choices)]


IMPORT_KINDS = [
    ("auto", _("自動で判定する")),
    ("hsds", _("HSDS（JSON または ZIP）")),
    ("kaigo", _("介護サービス事業所一覧")),
    ("kosodate", _("子育て施設一覧")),
    ("iryo", _("医療機関一覧")),
    ("aed", _("AED設置箇所一覧")),
]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("取り込むファイル（CSV・JSON・ZIP）"),
        error_messages={
            "required": _("取り込むファイルを選んでください。"),
            "empty": _("ファイルが空です。"),
        },
    )
    kind = forms.ChoiceField(label=_("ファイルの種類"), choices=IMPORT_KINDS, required=False)
    retire_missing = forms.BooleanField(
        label=_("このファイルにない取り込み済みの情報を「休止中」にする"),
        required=False,
        help_text=_(
            "オープンデータの CSV だけ。同じ種類のデータセットから以前に取り込んだサービスのうち、"
            "このファイルに載っていないもの（実施中・一時休止）を休止中にし、住民の検索に出さなくします。"
            "閉じた事業所が載らなくなった新しい一覧を取り込むときに使います。"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from sasaeai.core import uploads

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "オープンデータの CSV（UTF-8・Shift_JIS など）か HSDS。"
            "大きさは CSV が {csv}、JSON が {json}、ZIP が {zip} まで。"
        ).format(
            csv=uploads.limit_text("csv"),
            json=uploads.limit_text("json"),
            zip=uploads.limit_text("zip"),
        )

    def clean_file(self) -> Any:
        """The size limit of the file's format (``core.uploads``), as on the command line."""
        from sasaeai.core import uploads
        from sasaeai.directory.importing.service import upload_format

        upload = self.cleaned_data["file"]
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        try:
            uploads.check_size(file_format=upload_format(head, upload.name or ""), size=upload.size)
        except uploads.UploadRefused as error:
            raise forms.ValidationError(error.message) from None
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("retire_missing") and cleaned.get("kind") == "hsds":
            self.add_error(
                "retire_missing",
                _(
                    "HSDS のファイルでは、このファイルにない情報を「休止中」にすることはできません。"
                    "オープンデータの CSV のときだけ選んでください。"
                ),
            )
        return cleaned


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label=_("団体の名称"),
        max_length=300,
        error_messages={"required": _("団体の名称を入力してください。")},
    )
    name_kana = forms.CharField(
        label=_("団体の名称のよみがな"),
        required=False,
        max_length=300,
        help_text=_("空欄なら名称から自動で付けます。"),
    )
    description = forms.CharField(label=_("団体の説明"), required=False, widget=_textarea(4))
    website = _website_field()
    email = _email_field()
    maintainer = forms.ChoiceField(label=_("情報を管理する団体"), required=False)
    loaded_at = LoadedAtField()

    def __init__(
        self,
        *args: Any,
        maintainers: Sequence[tuple[int, str]],
        allow_no_maintainer: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["maintainer"]
        assert isinstance(field, forms.ChoiceField)
        empty = [("", _("（未設定・事務局）"))] if allow_no_maintainer else []
        field.choices = empty + [(str(pk), name) for pk, name in maintainers]
        field.required = not allow_no_maintainer
        field.error_messages["required"] = _("情報を管理する団体を選んでください。")
