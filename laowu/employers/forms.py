"""Forms for employers, agencies, visits and bases. They only shape input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from laowu.employers.models import AgencyKind, Verdict
from laowu.jobs import codetables
from laowu.regions.models import Region


class RegionPickerWidget(forms.Widget):
    """A region search box (htmx) storing the code; typing a code works without JavaScript."""

    template_name = "employers/_region_picker.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        region = Region.objects.filter(code=value).first() if value else None
        context["widget"]["label"] = (region.full_name or region.name) if region else (value or "")
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        return (data.get(name) or data.get(f"{name}_q") or "").strip()


class RegionCodeField(forms.CharField):
    """A region code anywhere in China (province to township, or a village loaded here)."""

    widget = RegionPickerWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 15)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        code = super().clean(value)
        if code and not Region.objects.filter(code=code).exists():
            raise ValidationError(f"区划代码「{code}」不存在，请从列表中选择。")
        return code


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the matching form fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = field.removesuffix("_id")
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class PartyForm(forms.Form):
    region = RegionCodeField(label="登记单位所属区划", help_text="由哪一级登记管理（决定谁能看到）")
    name = forms.CharField(label="名称", max_length=100)
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=22, required=False, help_text="18 位，末位为校验码"
    )
    address_region = RegionCodeField(label="所在地区划", help_text="单位所在县区或乡镇，可为全国任一地方")
    address = forms.CharField(label="详细地址", max_length=200, required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    service_fields: tuple[str, ...] = (
        "name",
        "credit_code",
        "address_region",
        "address",
        "contact_name",
        "contact_phone",
        "notes",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        result = {}
        for name in self.service_fields:
            key = f"{name}_id" if name in ("address_region",) else name
            result[key] = data.get(name)
        return result


class EmployerForm(PartyForm):
    industry_code = forms.ChoiceField(label="行业（国民经济行业分类）", required=False, choices=())
    scale = forms.IntegerField(label="职工人数", required=False, min_value=0)

    service_fields = (*PartyForm.service_fields, "industry_code", "scale")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry_code"].choices = (  # type: ignore[attr-defined]
            codetables.industry_division_choices("— 请选择 —")
        )


class AgencyForm(PartyForm):
    kind = forms.ChoiceField(label="类型", choices=AgencyKind.choices)
    licence_no = forms.CharField(label="许可证号", max_length=50, required=False)
    licence_valid_from = forms.DateField(
        label="许可证有效期起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    licence_valid_until = forms.DateField(
        label="许可证有效期至", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    service_fields = (*PartyForm.service_fields, "kind", "licence_no", "licence_valid_from", "licence_valid_until")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SiteVisitForm(forms.Form):
    visit_date = forms.DateField(label="考察日期", widget=forms.DateInput(attrs={"type": "date"}))
    visitors = forms.CharField(label="考察人员", max_length=200, help_text="姓名，多人用顿号分隔")
    findings = forms.CharField(label="考察情况", widget=forms.Textarea(attrs={"rows": 4}))
    verdict = forms.ChoiceField(label="结论", choices=Verdict.choices, widget=forms.RadioSelect)


class LaborBaseForm(forms.Form):
    region = RegionCodeField(label="登记单位所属区划")
    name = forms.CharField(label="基地名称", max_length=100)
    destination_region = RegionCodeField(label="基地所在地")
    employer = forms.TypedChoiceField(label="合作用工单位", required=False, coerce=int, empty_value=None)
    agency = forms.TypedChoiceField(label="合作中介机构", required=False, coerce=int, empty_value=None)
    key_contact_name = forms.CharField(label="重点联系人", max_length=50)
    key_contact_phone = forms.CharField(label="重点联系人电话", max_length=20)
    since = forms.DateField(label="建立日期", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="终止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, employers: Any = (), agencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employer_field: Any = self.fields["employer"]
        agency_field: Any = self.fields["agency"]
        employer_field.choices = [("", "—")] + [(e.pk, e.name) for e in employers]
        agency_field.choices = [("", "—")] + [(a.pk, a.name) for a in agencies]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "destination_region_id": d["destination_region"],
            "employer_id": d.get("employer"),
            "agency_id": d.get("agency"),
            "key_contact_name": d["key_contact_name"],
            "key_contact_phone": d["key_contact_phone"],
            "since": d["since"],
            "until": d.get("until"),
            "notes": d.get("notes", ""),
        }
