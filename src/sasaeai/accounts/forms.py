from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

TOKEN_HELP = _("認証アプリに表示される6桁の数字")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("ユーザー名またはパスワードが正しくありません。"),
        "inactive": _("このアカウントは利用停止中です。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("ユーザー名")
        self.fields["password"].label = _("パスワード")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("確認コード"),
        help_text=TOKEN_HELP,
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": _("[0-9０-９ ]*"),
            }
        ),
        error_messages={
            "required": _("確認コードを入力してください。"),
            "min_length": _("確認コードは6桁の数字です。"),
            "max_length": _("確認コードは6桁の数字です。"),
        },
    )

    def clean_token(self) -> str:
        import unicodedata

        token = unicodedata.normalize("NFKC", self.cleaned_data["token"]).replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("確認コードは6桁の数字で入力してください。"))
        return token
