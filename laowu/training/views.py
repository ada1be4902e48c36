from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from laowu.core.codetables import choices
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.training import selectors, services
from laowu.training.forms import AttendanceForm, CourseForm, ResultForm, TrainingClassForm
from laowu.training.models import ClassStatus, EnrolmentStatus
from laowu.workers.selectors import person_list


def form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else (f"{field}_id" if f"{field}_id" in form.fields else None)
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@require_cap("training.view")
def course_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.course_list(user=request.user, filters=request.GET))
    return render(
        request,
        "training/course_list.html",
        {"page": page, "f": request.GET, "trades": choices("trade")},
    )


@require_cap("training.edit")
def course_edit_view(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk) if pk else None
    initial = {"region_id": course.region_id if course else request.user.region_id}
    form = CourseForm(request.POST or None, instance=course, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in ("trade", "name", "hours", "certificate_kind", "description")}
        values["region_id"] = form.cleaned_data["region_id"]
        try:
            services.course_save(user=request.user, values=values, course=course)
        except ValidationError as exc:
            form_errors(form, exc)
        except PermissionDenied:
            form.add_error("region_id", "该区划不在您的管辖范围内。")
        else:
            messages.success(request, "课程已保存。")
            return redirect("training:course_list")
    return render(request, "training/course_form.html", {"form": form, "course": course})


@require_cap("training.view")
def class_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.training_class_list(user=request.user, filters=request.GET))
    template = "training/_class_rows.html" if request.htmx else "training/class_list.html"
    return render(
        request,
        template,
        {"page": page, "f": request.GET, "trades": choices("trade"), "statuses": ClassStatus.choices},
    )


@require_cap("training.edit")
def class_edit_view(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    obj = selectors.training_class_get(user=request.user, pk=pk) if pk else None
    initial = {"region_id": obj.region_id if obj else request.user.region_id}
    form = TrainingClassForm(
        request.POST or None, instance=obj, initial=initial, courses=selectors.course_choices(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "course"}
        values["course_id"] = form.cleaned_data["course"].pk
        values["region_id"] = form.cleaned_data["region_id"]
        # The form's instance already carries the new values; the service re-applies and checks them.
        target = selectors.training_class_get(user=request.user, pk=pk) if pk else None
        try:
            saved = services.training_class_save(user=request.user, values=values, training_class=target)
        except ValidationError as exc:
            form_errors(form, exc)
        except PermissionDenied:
            form.add_error("region_id", "该区划不在您的管辖范围内。")
        else:
            messages.success(request, "培训班已保存。")
            return redirect("training:class_detail", pk=saved.pk)
    return render(request, "training/class_form.html", {"form": form, "obj": obj})


@require_cap("training.view")
def class_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    obj = selectors.training_class_get(user=request.user, pk=pk)
    enrolments = list(
        obj.enrolments.select_related("person", "person__region")
        .annotate(days_present=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("status", "id")
    )
    active = [e for e in enrolments if e.status != EnrolmentStatus.WITHDRAWN]
    return render(
        request,
        "training/class_detail.html",
        {
            "obj": obj,
            "enrolments": enrolments,
            "active_count": len(active),
            "result_form": ResultForm(initial={"exam_date": obj.end_date, "passed": "1"}),
            "attendance_form": AttendanceForm(initial={"day": obj.start_date}),
            "can_edit": request.user.has_cap("training.edit"),
        },
    )


@require_cap("training.edit")
def class_enrol_view(request: AuthedRequest, pk: int) -> HttpResponse:
    obj = selectors.training_class_get(user=request.user, pk=pk)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("person") if v.isdigit()]
        chosen = person_list(user=request.user).filter(pk__in=ids)
        done, failed = 0, []
        for person in chosen:
            try:
                services.enrolment_create(user=request.user, training_class=obj, person=person)
                done += 1
            except ValidationError as exc:
                failed.append(error_text(exc))
            except PermissionDenied:
                failed.append(f"{person.name}：不在您的管辖范围内")
        if done:
            messages.success(request, f"已报名 {done} 人。")
        for text in failed[:10]:
            messages.error(request, text)
        return redirect("training:class_detail", pk=obj.pk)
    filters = {"q": request.GET.get("q", ""), "region": request.GET.get("region", "")}
    people: list[Any] = []
    if any(filters.values()):
        people = list(person_list(user=request.user, filters=filters).select_related("region")[:100])
    return render(request, "training/class_enrol.html", {"obj": obj, "people": people, "f": filters})


@require_cap("training.edit")
@require_POST
def enrolment_result_view(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    form = ResultForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else ''}：{'；'.join(str(e) for e in errors)}",
            )
    else:
        data = form.cleaned_data
        try:
            services.enrolment_record_result(
                user=request.user,
                enrolment=enrolment,
                passed=data["passed"],
                exam_date=data["exam_date"],
                score=data["score"],
                training_certificate_no=data["training_certificate_no"],
                qualification_certificate_no=data["qualification_certificate_no"],
                qualification_level=data["qualification_level"],
            )
        except ValidationError as exc:
            messages.error(request, f"{enrolment.person.name}：{error_text(exc)}")
        else:
            messages.success(request, f"已登记 {enrolment.person.name} 的考核结果。")
    return redirect("training:class_detail", pk=enrolment.training_class_id)


@require_cap("training.edit")
@require_POST
def enrolment_withdraw_view(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    try:
        services.enrolment_withdraw(user=request.user, enrolment=enrolment)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("training:class_detail", pk=enrolment.training_class_id)


@require_cap("training.edit")
@require_POST
def class_attendance_view(request: AuthedRequest, pk: int) -> HttpResponse:
    obj = selectors.training_class_get(user=request.user, pk=pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        present = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        try:
            count = services.attendance_record(
                user=request.user, training_class=obj, day=form.cleaned_data["day"], present_ids=present
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已登记 {form.cleaned_data['day']:%Y-%m-%d} 考勤（{count} 人）。")
    else:
        messages.error(request, "请填写考勤日期。")
    return redirect("training:class_detail", pk=obj.pk)


@require_cap("training.view")
def enrolment_list_view(request: AuthedRequest) -> HttpResponse:
    """Training records (培训记录) of people in scope, e.g. one person's (?person=ID)."""
    page = paginate(request, selectors.enrolment_list(user=request.user, filters=request.GET))
    return render(
        request,
        "training/enrolment_list.html",
        {"page": page, "f": request.GET, "trades": choices("trade"), "statuses": EnrolmentStatus.choices},
    )
