from __future__ import annotations

from typing import Any

from django import forms

from laowu.placements.choices import Channel, FollowUpKind, Industry
from laowu.placements.models import Stint

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StintForm(forms.ModelForm):
    destination_code = forms.CharField(
        label="务工地区划代码",
        max_length=15,
        help_text="省外填 2 位省码即可（如 44 广东），省内须精确到市/县，本县内须精确到乡镇。",
    )

    class Meta:
        model = Stint
        fields = ["channel", "employer_name", "industry", "trade", "occupation", "start_date", "end_date", "notes"]
        widgets = {"start_date": DATE, "end_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["destination_code"].initial = self.instance.destination_id

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["destination_id"] = self.cleaned_data["destination_code"].strip()
        return data

    def _post_clean(self) -> None:
        # The service validates the model (scope, overlap); the form only parses input.
        pass


class StintEndForm(forms.Form):
    end_date = forms.DateField(label="返回日期", widget=DATE)
    reason = forms.CharField(label="返回原因", max_length=200, required=False)


class WageForm(forms.Form):
    month = forms.DateField(
        label="月份", widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    amount = forms.DecimalField(label="工资（元）", max_digits=12, decimal_places=2, min_value=0)


class FollowUpOpenForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=FollowUpKind.choices)
    notes = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FollowUpCloseForm(forms.Form):
    outcome = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 3}))


CHANNEL_CHOICES = Channel.choices
INDUSTRY_CHOICES = Industry.choices
