"""Forms for job orders and bulletins. They only shape input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from laowu.employers.forms import RegionCodeField
from laowu.jobs import codetables
from laowu.jobs.models import Provision

_DATE = forms.DateInput(attrs={"type": "date"})


class JobOrderForm(forms.Form):
    region = RegionCodeField(label="登记单位所属区划")
    title = forms.CharField(label="岗位名称", max_length=100)
    employer = forms.TypedChoiceField(label="用工单位", required=False, coerce=int, empty_value=None)
    agency = forms.TypedChoiceField(label="中介机构", required=False, coerce=int, empty_value=None)
    headcount = forms.IntegerField(label="招用人数", min_value=1)
    description = forms.CharField(label="工作内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    min_age = forms.IntegerField(label="最低年龄", required=False, min_value=16, max_value=70)
    max_age = forms.IntegerField(label="最高年龄", required=False, min_value=16, max_value=70)
    sex = forms.ChoiceField(label="性别要求", choices=codetables.Sex.CHOICES, required=False)
    min_education = forms.ChoiceField(label="最低学历", required=False, choices=())
    health_codes = forms.MultipleChoiceField(
        label="可接受的健康状况", required=False, widget=forms.CheckboxSelectMultiple, help_text="不选为不限"
    )
    trade_codes = forms.MultipleChoiceField(label="要求工种", required=False, widget=forms.CheckboxSelectMultiple)
    certificate_kinds = forms.MultipleChoiceField(label="要求证书", required=False, widget=forms.CheckboxSelectMultiple)
    training_required = forms.BooleanField(label="须先培训（先培训后输出）", required=False)
    training_trade_code = forms.ChoiceField(label="培训工种", required=False, choices=())
    other_requirements = forms.CharField(label="其他要求", max_length=300, required=False)
    wage_min = forms.DecimalField(label="月工资下限（元）", max_digits=12, decimal_places=2, min_value=0)
    wage_max = forms.DecimalField(label="月工资上限（元）", max_digits=12, decimal_places=2, min_value=0)
    guaranteed_wage = forms.DecimalField(
        label="保底工资（元/月）", max_digits=12, decimal_places=2, required=False, help_text="中介承诺时填写"
    )
    place_region = RegionCodeField(label="工作地点", help_text="全国任一县区或乡镇")
    work_address = forms.CharField(label="工作地址", max_length=200, required=False)
    industry_code = forms.ChoiceField(label="行业", required=False, choices=())
    occupation_code = forms.ChoiceField(label="职业大类", required=False, choices=())
    contract_months = forms.IntegerField(label="合同期限（月）", required=False, min_value=1, max_value=120)
    deadline = forms.DateField(label="报名截止日期", required=False, widget=_DATE)
    housing = forms.ChoiceField(label="住宿", choices=Provision.choices)
    meals = forms.ChoiceField(label="伙食", choices=Provision.choices)
    travel_arrangements = forms.CharField(label="交通安排", max_length=300, required=False)

    def __init__(self, *args: Any, employers: Any = (), agencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f: dict[str, Any] = self.fields
        f["employer"].choices = [("", "—")] + [(e.pk, e.name) for e in employers]
        f["agency"].choices = [("", "—")] + [(a.pk, a.name) for a in agencies]
        f["min_education"].choices = [("", "不限")] + codetables.education().choices()
        f["health_codes"].choices = codetables.health().choices()
        f["trade_codes"].choices = [(c, n) for c, n in codetables.trades().rows]
        f["certificate_kinds"].choices = [(c, n) for c, n in codetables.certificate_kinds().rows]
        f["training_trade_code"].choices = [("", "—")] + [(c, n) for c, n in codetables.trades().rows]
        f["industry_code"].choices = codetables.industry_division_choices("— 请选择 —")
        f["occupation_code"].choices = codetables.occupation().choices("— 请选择 —")

    def service_kwargs(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("region", None)
        for name in ("employer", "agency", "place_region"):
            d[f"{name}_id"] = d.pop(name)
        for name in ("min_age", "max_age", "contract_months"):
            d[name] = d.get(name)
        return d

    @staticmethod
    def initial_from(order: Any) -> dict[str, Any]:
        names = [n for n in JobOrderForm.base_fields if n not in ("region", "employer", "agency", "place_region")]
        initial = {n: getattr(order, n) for n in names}
        initial.update(
            region=order.region_id,
            employer=order.employer_id,
            agency=order.agency_id,
            place_region=order.place_region_id,
        )
        return initial


class TransitionForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="原因", max_length=500, required=False)


class BulletinCompileForm(forms.Form):
    region = RegionCodeField(label="简报所属区划")
    title = forms.CharField(label="刊名", max_length=100, required=False, help_text="留空则为“某某信息服务”")
    issue_date = forms.DateField(label="编印日期", widget=_DATE)
    editor_note = forms.CharField(label="编者按", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BulletinDistributionForm(forms.Form):
    copies_printed = forms.IntegerField(label="印发份数", min_value=0)
    people_informed = forms.IntegerField(label="告知人数", min_value=0, help_text="通过本期信息获知用工信息的人数")
    distributed_at = forms.DateField(label="发放日期", required=False, widget=_DATE)
