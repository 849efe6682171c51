"""The directory of local resources, following Open Referral HSDS 3.0, with a Japanese profile.

HSDS 3.0 (CC BY-SA 4.0, Open Referral; schemas in the repository's shared hsds-3.0/ folder)
names the tables and fields; the comments say where a field is the Japanese profile's
addition rather than HSDS's own:

- readings (フリガナ) for organisation, service and location names (``name_kana``);
- the 行政地区 and 町丁目 of each location (``district``, ``town``);
- target groups and categories as taxonomy terms linked by HSDS ``attribute`` rows;
- weekly and monthly recurrence in ``schedule`` (HSDS's RRULE fields), with closures on
  national holidays and over 年末年始;
- 最終確認日 as HSDS's ``service.assured_date``;
- who maintains an entry (``maintainer``: an organisation unit such as 社協 or a
  地域包括支援センター) and where an imported row came from (``source_kind`` + ``source_id``),
  so a re-import updates instead of duplicating.

Every row has a UUID primary key (HSDS ids) and belongs to one municipality. Every web
address (``website``, ``url``, ``uri``, ``term_uri``) is http(s) only (``core.weburl``).

Not HSDS: the search rows (``SearchEntry``, ``SearchText``) and the staff screen's import
jobs (``ImportJob``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sasaeai.core.models import TenantScopedModel
from sasaeai.core.weburl import validate_web_url


class HsdsModel(TenantScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class SourceKind(models.TextChoices):
    """Where a row came from; with ``source_id`` it identifies the row across re-imports."""

    MANUAL = "manual", _("画面で登録")
    HSDS = "hsds", "HSDS"
    KAIGO = "kaigo", _("介護サービス事業所一覧")
    KOSODATE = "kosodate", _("子育て施設一覧")
    IRYO = "iryo", _("医療機関一覧")
    AED = "aed", _("AED設置箇所一覧")
    DEMO = "demo", _("デモ（架空）")


class Sourced(models.Model):
    source_kind = models.CharField(
        _("取込元"), max_length=10, choices=SourceKind.choices, default=SourceKind.MANUAL
    )
    source_id = models.CharField(
        _("取込元での識別子"),
        max_length=200,
        blank=True,
        help_text=_("オープンデータのIDや事業所番号。再取込で同じ行を更新するために使います。"),
    )
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        abstract = True


def _source_unique(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["municipality", "source_kind", "source_id"],
        condition=~models.Q(source_id=""),
        name=f"directory_{model}_unique_source",
    )


class Organization(HsdsModel, Sourced):
    name = models.CharField(_("名称"), max_length=300)
    name_kana = models.CharField(_("名称（フリガナ）"), max_length=300, blank=True)  # profile
    alternate_name = models.CharField(_("別名"), max_length=300, blank=True)
    description = models.TextField(_("説明"), blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    website = models.URLField(
        _("ウェブサイト"), max_length=500, blank=True, validators=[validate_web_url]
    )
    tax_id = models.CharField(_("法人番号"), max_length=13, blank=True)
    legal_status = models.CharField(_("法人の種類"), max_length=100, blank=True)
    parent_organization = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    maintainer = models.ForeignKey(  # profile
        "accounts.OrganisationUnit",
        verbose_name=_("情報を管理する団体"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("団体")
        verbose_name_plural = _("団体")
        ordering = ["municipality", "name_kana", "name"]
        constraints = [_source_unique("organization")]

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("実施中")
    INACTIVE = "inactive", _("休止中")
    DEFUNCT = "defunct", _("終了")
    TEMPORARILY_CLOSED = "temporarily closed", _("一時休止")


class Service(HsdsModel, Sourced):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("団体"),
        on_delete=models.CASCADE,
        related_name="services",
    )
    name = models.CharField(_("名称"), max_length=300)
    name_kana = models.CharField(_("名称（フリガナ）"), max_length=300, blank=True)  # profile
    alternate_name = models.CharField(_("別名"), max_length=300, blank=True)
    description = models.TextField(_("内容"), blank=True)
    url = models.URLField(
        _("ウェブサイト"), max_length=500, blank=True, validators=[validate_web_url]
    )
    email = models.EmailField(_("メールアドレス"), blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    application_process = models.TextField(_("利用の方法"), blank=True)
    fees_description = models.TextField(_("費用"), blank=True)
    is_free = models.BooleanField(_("無料"), null=True, blank=True)  # profile: the 無料 filter
    eligibility_description = models.TextField(_("対象となる人"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("対象年齢（下限）"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("対象年齢（上限）"), null=True, blank=True)
    alert = models.TextField(_("お知らせ"), blank=True)
    assured_date = models.DateField(_("最終確認日"), null=True, blank=True)
    assurer_email = models.EmailField(_("確認した人のメールアドレス"), blank=True)
    maintainer = models.ForeignKey(  # profile; falls back to the organisation's
        "accounts.OrganisationUnit",
        verbose_name=_("情報を管理する団体"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("サービス")
        verbose_name_plural = _("サービス")
        ordering = ["municipality", "name_kana", "name"]
        constraints = [_source_unique("service")]
        indexes = [models.Index(fields=["municipality", "assured_date"])]

    def __str__(self) -> str:
        return self.name


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("所在地")
    POSTAL = "postal", _("郵送先")
    VIRTUAL = "virtual", _("オンライン")


class Location(HsdsModel, Sourced):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("団体"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="locations",
    )
    location_type = models.CharField(
        _("種類"), max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(_("名称"), max_length=300, blank=True)
    name_kana = models.CharField(_("名称（フリガナ）"), max_length=300, blank=True)  # profile
    alternate_name = models.CharField(_("別名"), max_length=300, blank=True)
    description = models.TextField(_("説明"), blank=True)
    transportation = models.TextField(_("交通手段"), blank=True)
    url = models.URLField(
        _("ウェブサイト"), max_length=500, blank=True, validators=[validate_web_url]
    )
    latitude = models.DecimalField(_("緯度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("経度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    external_identifier = models.CharField(_("外部の識別子"), max_length=100, blank=True)
    external_identifier_type = models.CharField(_("外部の識別子の種類"), max_length=100, blank=True)
    district = models.ForeignKey(  # profile: 行政地区
        "accounts.District",
        verbose_name=_("行政地区"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    town = models.ForeignKey(  # profile: 町丁目
        "accounts.Town",
        verbose_name=_("町丁目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("場所")
        verbose_name_plural = _("場所")
        ordering = ["municipality", "name"]
        constraints = [_source_unique("location")]

    def __str__(self) -> str:
        return self.name or str(self.id)


class ServiceAtLocation(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="at_locations")
    description = models.TextField(_("説明"), blank=True)

    class Meta:
        verbose_name = _("サービスの実施場所")
        verbose_name_plural = _("サービスの実施場所")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="directory_sal_unique_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id}@{self.location_id}"


class Address(HsdsModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(_("宛名"), max_length=200, blank=True)
    address_1 = models.CharField(_("町名・番地"), max_length=300)
    address_2 = models.CharField(_("建物名等（方書）"), max_length=300, blank=True)
    city = models.CharField(_("市区町村"), max_length=100)
    region = models.CharField(_("地域"), max_length=100, blank=True)
    state_province = models.CharField(_("都道府県"), max_length=20)
    postal_code = models.CharField(_("郵便番号"), max_length=10, blank=True)
    country = models.CharField(_("国"), max_length=2, default="JP")
    address_type = models.CharField(
        _("種類"), max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )

    class Meta:
        verbose_name = _("住所")
        verbose_name_plural = _("住所")

    def __str__(self) -> str:
        return f"{self.state_province}{self.city}{self.address_1}{self.address_2}"


class Contact(HsdsModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(_("氏名・係名"), max_length=200, blank=True)
    title = models.CharField(_("役職"), max_length=200, blank=True)
    department = models.CharField(_("部署"), max_length=200, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)

    class Meta:
        verbose_name = _("連絡先")
        verbose_name_plural = _("連絡先")

    def __str__(self) -> str:
        return self.name or self.department or str(self.id)


class Phone(HsdsModel):
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("電話番号"), max_length=30)
    extension = models.PositiveIntegerField(_("内線番号"), null=True, blank=True)
    type = models.CharField(_("種類"), max_length=20, blank=True)  # text, voice, fax, cell, …
    description = models.CharField(_("説明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("電話番号")
        verbose_name_plural = _("電話番号")

    def __str__(self) -> str:
        return self.number


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("毎週")
    MONTHLY = "MONTHLY", _("毎月")


class Schedule(HsdsModel):
    """When a service is offered: HSDS's RRULE fields, plus the profile's closures.

    毎週火曜 is ``freq=WEEKLY, byday="TU"``; 第2・第4水曜 is ``freq=MONTHLY,
    byday="2WE,4WE"``; 毎月15日 is ``freq=MONTHLY, bymonthday="15"``.
    """

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    valid_from = models.DateField(_("有効期間の開始"), null=True, blank=True)
    valid_to = models.DateField(_("有効期間の終了"), null=True, blank=True)
    dtstart = models.DateField(_("初回"), null=True, blank=True)
    until = models.DateField(_("最終回"), null=True, blank=True)
    freq = models.CharField(_("繰り返し"), max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(_("間隔"), null=True, blank=True)
    byday = models.CharField(_("曜日"), max_length=50, blank=True)
    bymonthday = models.CharField(_("日"), max_length=50, blank=True)
    opens_at = models.TimeField(_("開始時刻"), null=True, blank=True)
    closes_at = models.TimeField(_("終了時刻"), null=True, blank=True)
    description = models.TextField(_("説明"), blank=True)
    notes = models.TextField(_("備考"), blank=True)
    attending_type = models.CharField(_("参加の形"), max_length=50, blank=True)
    closed_on_holidays = models.BooleanField(_("祝日は休み"), default=False)  # profile
    closed_year_end = models.BooleanField(_("年末年始は休み"), default=False)  # profile

    class Meta:
        verbose_name = _("日時")
        verbose_name_plural = _("日時")

    def __str__(self) -> str:
        return f"{self.freq} {self.byday}{self.bymonthday}"


class Language(HsdsModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    name = models.CharField(_("言語"), max_length=100, blank=True)
    code = models.CharField(_("言語コード"), max_length=10, blank=True)
    note = models.CharField(_("備考"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("対応言語")
        verbose_name_plural = _("対応言語")

    def __str__(self) -> str:
        return self.name or self.code


class Accessibility(HsdsModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(_("バリアフリーの状況"), blank=True)
    details = models.TextField(_("詳細"), blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True, validators=[validate_web_url])

    class Meta:
        verbose_name = _("バリアフリー情報")
        verbose_name_plural = _("バリアフリー情報")

    def __str__(self) -> str:
        return self.description[:40]


class CostOption(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(_("有効期間の開始"), null=True, blank=True)
    valid_to = models.DateField(_("有効期間の終了"), null=True, blank=True)
    option = models.CharField(_("区分"), max_length=200, blank=True)
    currency = models.CharField(_("通貨"), max_length=3, default="JPY")
    amount = models.DecimalField(_("金額"), max_digits=10, decimal_places=0, null=True, blank=True)
    amount_description = models.CharField(_("金額の説明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("費用")
        verbose_name_plural = _("費用")

    def __str__(self) -> str:
        return f"{self.option} {self.amount}"


class Taxonomy(HsdsModel):
    """A vocabulary; the profile ships 対象 (target groups) and 分類 (categories)."""

    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("説明"))
    uri = models.URLField(_("URI"), max_length=500, blank=True, validators=[validate_web_url])
    version = models.CharField(_("版"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("分類体系")
        verbose_name_plural = _("分類体系")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="directory_taxonomy_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsModel):
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.CASCADE, null=True, blank=True, related_name="terms"
    )
    code = models.CharField(_("コード"), max_length=100, blank=True)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("説明"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    language = models.CharField(_("言語"), max_length=10, default="ja")
    term_uri = models.URLField(_("URI"), max_length=500, blank=True, validators=[validate_web_url])
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)  # profile

    class Meta:
        verbose_name = _("分類の語")
        verbose_name_plural = _("分類の語")
        ordering = ["taxonomy", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"],
                condition=~models.Q(code=""),
                name="directory_term_unique_code",
            )
        ]

    def __str__(self) -> str:
        return self.name


class LinkEntity(models.TextChoices):
    SERVICE = "service", _("サービス")
    ORGANIZATION = "organization", _("団体")
    LOCATION = "location", _("場所")
    SERVICE_AT_LOCATION = "service_at_location", _("サービスの実施場所")


class Attribute(HsdsModel):
    """Links a taxonomy term to any row (HSDS's generic ``link_id`` + ``link_entity``)."""

    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes"
    )
    link_id = models.UUIDField(_("対象のID"), db_index=True)
    link_entity = models.CharField(_("対象の種類"), max_length=30, choices=LinkEntity.choices)
    link_type = models.CharField(_("関係"), max_length=50, blank=True)
    value = models.CharField(_("値"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("属性")
        verbose_name_plural = _("属性")
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy_term", "link_entity", "link_id"],
                name="directory_attribute_unique_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.link_entity}:{self.link_id} {self.taxonomy_term_id}"


class SearchEntry(models.Model):
    """What a search result shows of one service (not HSDS: derived data, rebuilt by
    ``sasaeai.directory.search.index_services``). Matching, filtering and ranking read
    ``SearchText`` (same id); a page of results reads these rows only for its own hits.
    """

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="search_entry")
    name = models.CharField(max_length=300)
    name_kana = models.CharField(max_length=300, blank=True)
    organization_name = models.CharField(max_length=300, blank=True)
    district_names = models.CharField(max_length=300, blank=True)  # one name per line
    category_names = models.CharField(max_length=500, blank=True)  # "\n"-joined
    target_names = models.CharField(max_length=300, blank=True)  # "\n"-joined
    is_demo = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class SearchText(models.Model):
    """The searched row of one ``SearchEntry`` (same id; derived data): everything a search
    matches, filters and ranks on, so that finding a page of results reads one table.

    - ``body``: the folded text (name, reading, organisation, description, categories,
      targets, districts, towns, address); ``bigrams`` its two-character pieces, for terms
      too short for a trigram index. ``names`` and ``name_bigrams``: the same for the
      folded name and reading alone (rank 2, 「名前に含まれる」).
    - ``filter_keys``: `` m:<municipality> p:<1|0> d:<district> c:<category> t:<target>
      w:<weekday 0-6> f:<1|0> `` (space-separated, with a space at each end), for the
      filters: a GIN index on PostgreSQL, substring checks on SQLite.
    - ``name_folded``, ``reading_folded`` (ranking), ``sort_key``, ``name``,
      ``service_uuid`` (the order within a rank).

    On SQLite, FTS5 tables (columns ``names, body`` and ``name_bigrams, bigrams``) are kept
    in step by triggers; on PostgreSQL, GIN indexes; on both, b-tree indexes for the order
    and for name prefixes (migration 0004).
    """

    entry = models.OneToOneField(
        SearchEntry, on_delete=models.CASCADE, primary_key=True, related_name="text"
    )
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    is_public = models.BooleanField(default=True)
    filter_keys = models.TextField(blank=True)
    name_folded = models.CharField(max_length=300)  # without the 「（架空）」 mark
    reading_folded = models.CharField(max_length=600, blank=True)
    sort_key = models.CharField(max_length=600)
    name = models.CharField(max_length=300)
    service_uuid = models.UUIDField()
    body = models.TextField()
    bigrams = models.TextField(blank=True)
    names = models.TextField(blank=True)
    name_bigrams = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.body[:40]


class ImportJobMode(models.TextChoices):
    PREVIEW = "preview", _("確認")
    APPLY = "apply", _("取り込み")


class ImportJobState(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("実行中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")


class ImportJob(TenantScopedModel):
    """One import started from the staff screen, run in the background with its progress
    (``importing.jobs``): the preview of an uploaded file, or the apply of a preview. The
    file itself is kept on disk under ``file_token`` and checked against ``sha256``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mode = models.CharField(_("種類"), max_length=10, choices=ImportJobMode.choices)
    preview = models.ForeignKey(
        "self",
        verbose_name=_("確認"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="applies",
        help_text=_("取り込みのときだけ: 取り込む確認済みのファイル"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_token = models.CharField(_("保存したファイル"), max_length=64)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    filename = models.CharField(_("ファイル名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大きさ（バイト）"), default=0)
    kind = models.CharField(_("ファイルの種類"), max_length=10, default="auto")
    retire_missing = models.BooleanField(_("ファイルにないものを休止中にする"), default=False)
    state = models.CharField(
        _("状態"), max_length=10, choices=ImportJobState.choices, default=ImportJobState.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("読んだ行"), default=0)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    step = models.CharField(_("いまの作業"), max_length=200, blank=True)
    result = models.JSONField(_("結果"), null=True, blank=True)
    error = models.TextField(_("エラー"), blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("地域資源情報の取り込み")
        verbose_name_plural = _("地域資源情報の取り込み")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} {self.mode} {self.state}"
