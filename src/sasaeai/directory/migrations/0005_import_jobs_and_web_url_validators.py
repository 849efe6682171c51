"""Import jobs of the staff screen (a preview or an apply run in the background, with its
progress), and http(s) only for every web address of the directory (``core.weburl``: model
validation refuses ``javascript:``, ``data:``, ``ftp:`` …; no data changes)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import sasaeai.core.weburl


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("directory", "0004_search_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessibility",
            name="url",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[sasaeai.core.weburl.WebURLValidator()],
                verbose_name="URL",
            ),
        ),
        migrations.AlterField(
            model_name="location",
            name="url",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[sasaeai.core.weburl.WebURLValidator()],
                verbose_name="ウェブサイト",
            ),
        ),
        migrations.AlterField(
            model_name="organization",
            name="website",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[sasaeai.core.weburl.WebURLValidator()],
                verbose_name="ウェブサイト",
            ),
        ),
        migrations.AlterField(
            model_name="service",
            name="url",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[sasaeai.core.weburl.WebURLValidator()],
                verbose_name="ウェブサイト",
            ),
        ),
        migrations.AlterField(
            model_name="taxonomy",
            name="uri",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[sasaeai.core.weburl.WebURLValidator()],
                verbose_name="URI",
            ),
        ),
        migrations.AlterField(
            model_name="taxonomyterm",
            name="term_uri",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[sasaeai.core.weburl.WebURLValidator()],
                verbose_name="URI",
            ),
        ),
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="作成日時")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新日時")),
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "mode",
                    models.CharField(
                        choices=[("preview", "確認"), ("apply", "取り込み")],
                        max_length=10,
                        verbose_name="種類",
                    ),
                ),
                ("file_token", models.CharField(max_length=64, verbose_name="保存したファイル")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("filename", models.CharField(max_length=200, verbose_name="ファイル名")),
                (
                    "size",
                    models.PositiveBigIntegerField(default=0, verbose_name="大きさ（バイト）"),
                ),
                (
                    "kind",
                    models.CharField(default="auto", max_length=10, verbose_name="ファイルの種類"),
                ),
                (
                    "retire_missing",
                    models.BooleanField(
                        default=False, verbose_name="ファイルにないものを休止中にする"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "待機中"),
                            ("running", "実行中"),
                            ("done", "完了"),
                            ("failed", "失敗"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="状態",
                    ),
                ),
                ("rows_done", models.PositiveIntegerField(default=0, verbose_name="読んだ行")),
                ("rows_total", models.PositiveIntegerField(default=0, verbose_name="行数")),
                ("step", models.CharField(blank=True, max_length=200, verbose_name="いまの作業")),
                ("result", models.JSONField(blank=True, null=True, verbose_name="結果")),
                ("error", models.TextField(blank=True, verbose_name="エラー")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="終了日時"),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.municipality",
                        verbose_name="自治体",
                    ),
                ),
                (
                    "preview",
                    models.ForeignKey(
                        blank=True,
                        help_text="取り込みのときだけ: 取り込む確認済みのファイル",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="applies",
                        to="directory.importjob",
                        verbose_name="確認",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="依頼した人",
                    ),
                ),
            ],
            options={
                "verbose_name": "地域資源情報の取り込み",
                "verbose_name_plural": "地域資源情報の取り込み",
                "ordering": ["-created_at"],
            },
        ),
    ]
