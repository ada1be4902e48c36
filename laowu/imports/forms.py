from __future__ import annotations

from typing import Any

from django import forms

from laowu.imports.engine import get_target
from laowu.imports.models import ImportPolicy
from laowu.imports.profiles import profiles_for


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="文件", help_text="Excel（.xlsx、.xls）或 CSV 文件")
    profile = forms.ChoiceField(label="文件格式", choices=())
    policy = forms.ChoiceField(label="已登记人员", choices=ImportPolicy.choices, initial=ImportPolicy.UPDATE)

    def __init__(self, *args: Any, target: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [(p.key, p.label) for p in profiles_for(target)]  # type: ignore[attr-defined]
        # A target may name what its policy is about (people, stints ...); the values are the same.
        the_target = get_target(target)
        if getattr(the_target, "policy_choices", None):
            self.fields["policy"].choices = list(the_target.policy_choices)  # type: ignore[attr-defined]
            self.fields["policy"].label = the_target.policy_label
