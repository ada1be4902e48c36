from __future__ import annotations

from typing import Any

from django import forms

from laowu.regions.models import Region
from laowu.training.models import Course, EnrolmentStatus, TrainingClass

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionCodeField(forms.CharField):
    """A region code typed or picked; scope is checked by the service."""

    def clean(self, value: Any) -> str:
        code = super().clean(value).strip()
        if not Region.objects.filter(code=code).exists():
            raise forms.ValidationError("区划代码不存在。")
        return code


class CourseForm(forms.ModelForm):
    region_id = RegionCodeField(label="所属区划代码", max_length=15)

    class Meta:
        model = Course
        fields = ["trade", "name", "hours", "certificate_kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TrainingClassForm(forms.ModelForm):
    region_id = RegionCodeField(label="举办区划代码", max_length=15)

    class Meta:
        model = TrainingClass
        fields = [
            "course",
            "name",
            "start_date",
            "end_date",
            "place",
            "teacher",
            "capacity",
            "cost",
            "funding_source",
            "status",
            "notes",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, courses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses  # type: ignore[attr-defined]


class ResultForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="考核结果",
        choices=[("1", EnrolmentStatus.PASSED.label), ("0", EnrolmentStatus.FAILED.label)],
        coerce=lambda v: v == "1",
    )
    exam_date = forms.DateField(label="考核日期", widget=DATE)
    score = forms.DecimalField(label="成绩", max_digits=5, decimal_places=1, required=False, min_value=0, max_value=100)
    training_certificate_no = forms.CharField(label="培训证书编号", max_length=50, required=False)
    qualification_certificate_no = forms.CharField(label="职业资格证书编号", max_length=50, required=False)
    qualification_level = forms.CharField(label="职业资格等级", max_length=20, required=False)


class AttendanceForm(forms.Form):
    day = forms.DateField(label="日期", widget=DATE)
