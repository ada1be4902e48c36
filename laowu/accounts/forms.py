from __future__ import annotations

from django import forms

from laowu.accounts.roles import Role


class LoginForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(
        label="确认新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_.@-]{3,150}$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -，至少 3 位。"},
    )
    display_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="电话", max_length=20, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    region = forms.CharField(label="所属区划代码", max_length=15)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="用户首次登录后须修改。",
    )


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    region = forms.CharField(label="所属区划代码", max_length=15)
