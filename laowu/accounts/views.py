from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from laowu.accounts import services
from laowu.accounts.forms import LoginForm, PasswordChangeForm, UserCreateForm, UserRoleForm
from laowu.accounts.models import User
from laowu.core.audit_context import client_ip
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.regions.models import Region

LOGIN_REFUSED = "用户名或密码错误。"


def login_view(request: AuthedRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_login(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except services.LoginRefused:
            form.add_error(None, LOGIN_REFUSED)
        else:
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = ""
            return redirect(target or "core:home")
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: AuthedRequest) -> HttpResponse:
    services.user_logout(request=request)
    messages.info(request, "已安全退出。")
    return redirect("accounts:login")


@login_required
def password_change_view(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


@require_cap("accounts.manage")
def user_list_view(request: AuthedRequest) -> HttpResponse:
    qs = User.objects.restrict(request.user).order_by("region_id", "username")
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(username__icontains=query) | qs.filter(display_name__contains=query)
    page = paginate(request, qs)
    return render(request, "accounts/user_list.html", {"page": page, "q": query})


@require_cap("accounts.manage")
def user_create_view(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not Region.objects.restrict(request.user).filter(code=data["region"]).exists():
            form.add_error("region", "区划不存在或不在您的管辖范围内。")
        else:
            try:
                user = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    password=data["password"],
                    role=data["role"],
                    region_code=data["region"],
                    display_name=data["display_name"],
                    phone=data["phone"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else "password", error)
            else:
                messages.success(request, f"已创建用户 {user.username}。")
                return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


def _managed_user(request: AuthedRequest, pk: int) -> User:
    return get_object_or_404(User.objects.restrict(request.user), pk=pk)


@require_cap("accounts.manage")
def user_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    form = UserRoleForm(request.POST or None, initial={"role": target.role, "region": target.region_id})
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        if not Region.objects.restrict(request.user).filter(code=region).exists():
            form.add_error("region", "区划不存在或不在您的管辖范围内。")
        else:
            try:
                services.user_set_role(
                    actor=request.user,
                    user=target,
                    role=form.cleaned_data["role"],
                    region_code=region,
                    ip=client_ip(request),
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, str(exc.args[0] if exc.args else exc))
            else:
                messages.success(request, "角色已更新，该用户的会话已结束。")
                return redirect("accounts:user_list")
    return render(request, "accounts/user_edit.html", {"form": form, "target": target})


@require_POST
@require_cap("accounts.manage")
def user_action_view(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    target = _managed_user(request, pk)
    ip = client_ip(request)
    try:
        if action == "disable":
            services.user_set_active(actor=request.user, user=target, active=False, reason="manual", ip=ip)
            messages.success(request, f"已停用 {target.username}，其会话已全部结束。")
        elif action == "enable":
            services.user_set_active(actor=request.user, user=target, active=True, ip=ip)
            messages.success(request, f"已启用 {target.username}。")
        elif action == "unlock":
            services.user_unlock(actor=request.user, user=target, ip=ip)
            messages.success(request, f"已解锁 {target.username}。")
        else:
            raise PermissionDenied
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "无权执行此操作。")
    return redirect("accounts:user_list")


@login_required
def token_list_view(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_cap("api.use"):
        raise PermissionDenied
    plain = None
    if request.method == "POST":
        if request.POST.get("revoke"):
            from django.utils import timezone

            request.user.api_tokens.filter(pk=request.POST["revoke"], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            messages.success(request, "令牌已吊销。")
            return redirect("accounts:token_list")
        name = request.POST.get("name", "").strip() or "默认"
        _token, plain = services.api_token_create(user=request.user, name=name)
    tokens = request.user.api_tokens.order_by("-created_at")
    return render(request, "accounts/token_list.html", {"tokens": tokens, "plain": plain})
