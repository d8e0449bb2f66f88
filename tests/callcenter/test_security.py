import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "callcenter.example.org",
    "PHONE_SECRET": "a-long-random-phone-secret-" + "y" * 40,
    "PHONE_AUTH_SECRET": "a-long-random-sip-credentials-secret-" + "z" * 40,
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    ignored = {
        "DEBUG",
        "SECRET_KEY",
        "PHONE_SECRET",
        "PHONE_AUTH_SECRET",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("key", ["change-me-to-a-long-random-string", "  "])
def test_production_refuses_the_placeholder_secret_key_as_if_it_were_missing(key):
    result = run_manage("check", env={"DEBUG": "false", "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_placeholder_is_the_one_in_env_example():
    example = (settings.BASE_DIR / ".env.example").read_text()
    assert "SECRET_KEY=change-me-to-a-long-random-string\n" in example


@pytest.mark.parametrize("name", ["PHONE_SECRET", "PHONE_AUTH_SECRET"])
@pytest.mark.parametrize("value", [None, "", "change-me-to-another-random-string"])
def test_production_refuses_to_start_without_the_phone_secrets(name, value):
    env = {key: item for key, item in PRODUCTION_ENV.items() if key != name}
    if value is not None:
        env[name] = value
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"{name} is not set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_pages_carry_a_content_security_policy_without_inline_script(client, agent):
    client.force_login(agent)
    response = client.get(reverse("hierarchy:tree"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
    assert " hx-on" not in response.content.decode()


def test_the_policy_lets_the_softphone_reach_the_phone_system_and_nothing_else(client, agent):
    client.force_login(agent)
    policy = client.get(reverse("hierarchy:tree"))["Content-Security-Policy"]
    (connect,) = [part for part in policy.split(";") if part.strip().startswith("connect-src")]
    assert connect.split()[1:] == ["'self'", "ws://127.0.0.1:5066"]
