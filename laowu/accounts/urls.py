from django.urls import path

from laowu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("users/", views.user_list_view, name="user_list"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<int:pk>/", views.user_edit_view, name="user_edit"),
    path("users/<int:pk>/<str:action>/", views.user_action_view, name="user_action"),
    path("tokens/", views.token_list_view, name="token_list"),
]
