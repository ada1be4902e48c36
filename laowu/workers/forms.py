"""Forms of the registry pages. They only collect raw values: the rules live in
``validation.clean_person`` and the services, whose field errors are put back beside the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from laowu.core.codetables import choices
from laowu.workers.models import LaborStatus, PovertyStatus

_BLANK = [("", "—")]


class RegionPickerWidget(forms.HiddenInput):
    """A region search box (htmx autocomplete) holding the chosen code in a hidden input."""

    template_name = "workers/widgets/region_picker.html"

    @property
    def is_hidden(self) -> bool:  # a visible field: label and errors beside it
        return False

    def __init__(self, label: str = "", placeholder: str = "输入村名、代码或拼音首字母", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.placeholder = placeholder

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["display"] = self.label or (value or "")
        context["widget"]["placeholder"] = self.placeholder
        return context


class PersonForm(forms.Form):
    """Register (新增) or edit (编辑) a laborer. ``edit=True``: ID number and phone start empty
    (the page never holds them in full) and an empty value means "unchanged"."""

    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs={"autofocus": True}))
    id_number = forms.CharField(label="身份证号", max_length=24, required=False)
    region = forms.CharField(label="所在村组", required=False)
    ethnicity = forms.ChoiceField(label="民族", choices=choices("ethnicity"), initial="01")
    education = forms.ChoiceField(label="文化程度", choices=_BLANK + choices("education"), required=False)
    health = forms.ChoiceField(label="健康状况", choices=choices("health"), initial="1")
    political_status = forms.ChoiceField(label="政治面貌", choices=choices("political"), initial="13")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    household_number = forms.CharField(label="户编号", max_length=32, required=False)
    relation_to_head = forms.ChoiceField(label="与户主关系", choices=_BLANK + choices("relation"), required=False)
    poverty_status = forms.ChoiceField(label="贫困状态（新建户时）", choices=PovertyStatus.choices, required=False)
    labor_status = forms.ChoiceField(label="劳动力状态", choices=LaborStatus.choices, initial=LaborStatus.FARMING)
    trades = forms.MultipleChoiceField(
        label="技能（工种）", choices=choices("trade"), required=False, widget=forms.CheckboxSelectMultiple
    )
    wants_to_go_out = forms.BooleanField(label="有外出意愿", required=False)
    preferred_destinations = forms.CharField(
        label="意向务工地", required=False, help_text="省、市或县的区划代码，多个用顿号或空格分隔，如 44 3301"
    )
    preferred_trades = forms.MultipleChoiceField(
        label="意向工种", choices=choices("trade"), required=False, widget=forms.CheckboxSelectMultiple
    )
    available_from = forms.CharField(
        label="最早可外出日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        edit: bool = False,
        region_label: str = "",
        masked: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.edit = edit
        self.fields["region"].widget = RegionPickerWidget(label=region_label)
        if edit:
            masked = masked or {}
            for key in ("region", "household_number", "poverty_status"):
                del self.fields[key]
            for key in ("id_number", "phone"):
                self.fields[key].widget.attrs["placeholder"] = masked.get(key, "")
                self.fields[key].help_text = "留空表示不修改"
            self.fields["id_number"].label = "身份证号（更正时填写）"
        else:
            del self.fields["version"]
            self.fields["id_number"].required = True
            self.fields["region"].required = True
            self.fields["household_number"].help_text = "同村组内已有该户编号则加入该户，否则新建户"
            self.fields["id_number"].help_text = "18 位，出生日期与性别由号码得出"

    def service_data(self) -> dict[str, Any]:
        """Raw values for the service (clean_person), without the unchanged sensitive fields."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["trades"] = "、".join(data.get("trades") or [])
        data["preferred_trades"] = "、".join(data.get("preferred_trades") or [])
        data["wants_to_go_out"] = "是" if data.get("wants_to_go_out") else "否"
        if self.edit:
            for key in ("id_number", "phone"):
                if not data.get(key):
                    data.pop(key, None)
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in exc.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)


class TransferForm(forms.Form):
    region = forms.CharField(label="迁入村组", widget=RegionPickerWidget())
    reason = forms.CharField(label="迁移原因", max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in exc.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)


class HouseholdForm(forms.Form):
    number = forms.CharField(label="户编号", max_length=32, widget=forms.TextInput(attrs={"autofocus": True}))
    region = forms.CharField(label="所在村组", widget=RegionPickerWidget())
    poverty_status = forms.ChoiceField(label="贫困状态", choices=PovertyStatus.choices)
    address = forms.CharField(label="住址", max_length=200, required=False)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, edit: bool = False, region_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget = RegionPickerWidget(label=region_label)
        if edit:
            del self.fields["region"]

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in exc.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)


class MemberForm(forms.Form):
    id_number = forms.CharField(label="成员身份证号", max_length=24)
    relation = forms.ChoiceField(label="与户主关系", choices=choices("relation"))


class IncomeForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=1978, max_value=2100)
    per_capita_net_income = forms.DecimalField(label="人均纯收入（元）", max_digits=12, decimal_places=2, min_value=0)
    labor_income = forms.DecimalField(
        label="劳务收入（元）", max_digits=12, decimal_places=2, min_value=0, required=False
    )
