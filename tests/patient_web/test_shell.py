"""The patient's app as the server serves it: one page at every path, its service worker, ``/``."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

from patient_web import shell as shell_module

BUDGET = 100 * 1024  # the whole shell, compressed (issue 17)


@pytest.fixture
def client() -> Client:
    return Client()


def csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/journal/", "/journal/today", "/journal/week", "/journal/join/K7QX-M3PD"])
def test_every_path_of_the_app_is_the_one_page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b'<script type="module" src="/static/patient_web/js/main.js"></script>' in response.content
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_path_outside_the_app_is_not_the_page(client):
    assert client.get("/journal/no/such/deep/path").status_code == 404
    assert client.get("/journal/..%2f..%2fetc").status_code == 404


def test_the_page_runs_only_our_own_script_and_style(client):
    response = client.get("/journal/")
    policy = csp(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    # No inline script or style, no other origin.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert "style=" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_the_dashboard_keeps_its_no_script_policy(client):
    assert csp(client.get("/app/sign-in/"))["script-src"] == ["'none'"]


def test_the_service_worker_lists_the_whole_shell(client):
    response = client.get("/journal/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == "no-cache"
    prelude, _, rest = response.content.decode().partition("\n")
    shell = json.loads(prelude.removeprefix("const SHELL = ").removesuffix(";"))
    assert shell["page"] == "/journal/"
    static = Path(shell_module.STATIC)
    expected = {"/journal/"} | {f"/static/{p.relative_to(static).as_posix()}" for p in static.rglob("*") if p.is_file()}
    assert set(shell["files"]) == expected
    assert "/static/patient_web/js/main.js" in shell["files"]
    assert 'addEventListener("fetch"' in rest


def test_a_changed_file_makes_a_new_version_and_an_unchanged_tree_the_same(tmp_path, monkeypatch, settings):
    copy = tmp_path / "static"
    shutil.copytree(shell_module.STATIC, copy)
    monkeypatch.setattr(shell_module, "STATIC", copy)
    first = shell_module._build().version
    assert shell_module._build().version == first
    css = copy / "patient_web" / "app.css"
    css.write_text(css.read_text() + "\n/* v2 */\n")
    assert shell_module._build().version != first


def test_the_shell_fits_the_budget_compressed(client):
    """HTML, modules, stylesheet, icons and manifest: as a browser would fetch them, gzipped."""
    total = len(gzip.compress(client.get("/journal/").content))
    for path in shell_module.shell().files[1:]:
        file = shell_module.STATIC / path.removeprefix("/static/")
        total += len(gzip.compress(file.read_bytes()))
    total += len(gzip.compress(client.get("/journal/sw.js").content))
    assert total <= BUDGET, f"the shell is {total} bytes compressed, over {BUDGET}"


def test_the_manifest_makes_it_installable():
    manifest = json.loads((shell_module.STATIC / "patient_web" / "manifest.webmanifest").read_text())
    assert manifest["scope"] == "/journal/"
    assert manifest["start_url"].startswith("/journal/")
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert (shell_module.STATIC / icon["src"].removeprefix("/static/")).is_file()


def test_home_has_a_door_for_each_kind_of_user(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/journal/"' in html
    assert 'href="/app/"' in html
    assert "not an emergency service" in html


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_page_is_only_read(client, method):
    assert getattr(client, method)("/journal/").status_code == 405


def test_the_app_states_the_servers_password_rule(settings):
    """The sign-up hint is written in the app; the rule lives in settings. They must agree."""
    validator = next(v for v in settings.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator"))
    built = (shell_module.STATIC / "patient_web" / "js" / "screens" / "forms.js").read_text()
    assert f"export const PASSWORD_MIN = {validator['OPTIONS']['min_length']};" in built
