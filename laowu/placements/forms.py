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


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, required=required)


def _money(label: str, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, required=required)


# The input each transition takes (the service's _DATA_FIELDS, as form fields).
TRANSITION_FIELDS: dict[str, dict[str, Any]] = {
    "screen": {"political_review_passed": lambda: forms.BooleanField(label="政审通过", required=False)},
    "health_check": {
        "health_check_date": lambda: _date("体检日期"),
        "health_check_hospital": lambda: forms.CharField(label="体检医院", max_length=100, required=False),
        "health_check_passed": lambda: forms.TypedChoiceField(
            label="体检结论", choices=[("1", "合格"), ("0", "不合格")], coerce=lambda v: v == "1"
        ),
        "health_check_fee": lambda: _money("体检费（元）"),
        "health_result_text": lambda: forms.CharField(
            label="体检结论说明（加密保存）", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
        ),
    },
    "interview": {"interview_date": lambda: _date("面试日期")},
    "sign_contract": {
        "contract_signed_on": lambda: _date("合同签订日期"),
        "contract_term_months": lambda: forms.IntegerField(label="合同期限（月）", min_value=1, max_value=120),
        "contract_wage": lambda: _money("合同工资（元/月）", required=True),
        "guaranteed_wage": lambda: _money("保底工资（元/月）"),
    },
    "documents": {
        "doc_id_card": lambda: forms.BooleanField(label="身份证", required=False),
        "doc_work_permit": lambda: forms.BooleanField(label="务工证", required=False),
        "doc_marriage_cert": lambda: forms.BooleanField(label="婚育证", required=False),
        "document_fees": lambda: _money("办证工本费（元）"),
    },
    "depart": {"departed_on": lambda: _date("出发日期", required=False)},
    "arrive": {"arrived_on": lambda: _date("到岗日期", required=False)},
}


class TransitionForm(forms.Form):
    reason = forms.CharField(label="原因 / 说明", max_length=200, required=False)

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        for name, make in TRANSITION_FIELDS.get(action, {}).items():
            self.fields[name] = make()
        self.order_fields([*TRANSITION_FIELDS.get(action, {}), "reason"])

    def data_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("reason", "health_result_text")}


class BatchForm(forms.Form):
    region_id = forms.CharField(label="组织单位区划代码", max_length=15)
    name = forms.CharField(label="批次名称", max_length=100)
    job_orders: Any = forms.ModelMultipleChoiceField(label="用工信息", queryset=None)  # type: ignore[arg-type]
    departure_date = _date("出发日期")
    destination_note = forms.CharField(label="目的地", max_length=200, required=False)
    transport = forms.CharField(label="交通方式", max_length=100, required=False)
    escort_name = forms.CharField(label="护送人员", max_length=50, required=False)
    escort_phone = forms.CharField(label="护送人员电话", max_length=20, required=False)
    send_off_note = forms.CharField(label="欢送会", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    station_phone = forms.CharField(label="乡镇劳务工作站电话", max_length=20, required=False)
    onsite_manager = forms.CharField(label="中介驻厂管理人员", max_length=50, required=False)
    onsite_manager_phone = forms.CharField(label="驻厂管理人员电话", max_length=20, required=False)
    base_contact = forms.CharField(label="劳务基地重点联系人", max_length=50, required=False)
    base_contact_phone = forms.CharField(label="基地联系人电话", max_length=20, required=False)

    def __init__(self, *args: Any, orders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_orders"].queryset = orders  # type: ignore[attr-defined]


class ApplicationForm(forms.Form):
    job_order: Any = forms.ModelChoiceField(label="用工信息", queryset=None)  # type: ignore[arg-type]
    planned_departure = _date("计划出发日期", required=False)
    emergency_contact = forms.CharField(label="家庭联系人", max_length=50, required=False)
    emergency_phone = forms.CharField(label="家庭联系电话", max_length=20, required=False)

    def __init__(self, *args: Any, orders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_order"].queryset = orders  # type: ignore[attr-defined]


class BulkRegisterForm(forms.Form):
    """批量报名: one published job order for the people ticked on the page."""

    job_order: Any = forms.ModelChoiceField(label="用工信息", queryset=None, widget=forms.HiddenInput)  # type: ignore[arg-type]
    planned_departure = _date("计划出发日期", required=False)

    def __init__(self, *args: Any, orders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_order"].queryset = orders  # type: ignore[attr-defined]
        self.fields["job_order"].error_messages["required"] = "请先选择用工信息。"
