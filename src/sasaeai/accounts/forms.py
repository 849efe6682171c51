from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

TOKEN_HELP = "認証アプリに表示される6桁の数字"  # noqa: S105  (a help text, not a secret)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "ユーザー名またはパスワードが正しくありません。",
        "inactive": "このアカウントは利用停止中です。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "ユーザー名"
        self.fields["password"].label = "パスワード"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="確認コード",
        help_text=TOKEN_HELP,
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9０-９ ]*",
            }
        ),
        error_messages={
            "required": "確認コードを入力してください。",
            "min_length": "確認コードは6桁の数字です。",
            "max_length": "確認コードは6桁の数字です。",
        },
    )

    def clean_token(self) -> str:
        import unicodedata

        token = unicodedata.normalize("NFKC", self.cleaned_data["token"]).replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("確認コードは6桁の数字で入力してください。")
        return token
