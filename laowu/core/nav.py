"""The left menu: each app's AppConfig may declare ``nav`` (a section with links), so adding a
capability never edits a shared list. A link is shown only to users holding its capability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    cap: str
    order: int = 100


@dataclass(frozen=True)
class NavSection:
    label: str
    links: tuple[NavLink, ...]
    order: int = 100


def nav_for(user: Any, current_path: str = "") -> list[dict[str, Any]]:
    """Sections with the same label (from several apps) are merged into one."""
    sections: dict[str, dict[str, Any]] = {}
    for config in apps.get_app_configs():
        section: NavSection | None = getattr(config, "nav", None)
        if section is None:
            continue
        links = []
        for link in sorted(section.links, key=lambda item: item.order):
            if not user.has_cap(link.cap):
                continue
            try:
                url = reverse(link.url_name)
            except NoReverseMatch:
                continue
            links.append({"label": link.label, "url": url, "active": current_path.startswith(url), "order": link.order})
        if links:
            merged = sections.setdefault(section.label, {"label": section.label, "links": [], "order": section.order})
            merged["links"].extend(links)
            merged["order"] = min(merged["order"], section.order)
    for merged in sections.values():
        merged["links"].sort(key=lambda item: item["order"])
    return sorted(sections.values(), key=lambda item: item["order"])
