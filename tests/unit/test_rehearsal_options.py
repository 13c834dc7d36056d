"""`trueup rehearse`'s options: a multiple of an ordinary day, and an existing ERP (a staging copy, confirmed as
such, with its database and a password from a secret); refused plainly before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from trueup.config import SecretRef
from trueup.entrypoints.cli import app
from trueup.entrypoints.cli_groups import register_groups
from trueup.entrypoints.rehearsal_cli import rehearsal_asked, rehearsal_stack

register_groups(app)
PASSWORD = SecretRef(env="STAGING_ERP_PASSWORD")
WIDE = {"COLUMNS": "240"}  # the error panel on one line


def a_stack(**changes: object):
    asked: dict[str, object] = {
        "dir": Path("r"),
        "seed": 1,
        "workers": 1,
        "threads": 2,
        "erp_url": None,
        "erp_database": None,
        "erp_user": "admin",
        "erp_password": None,
        "erp_warehouse": "WH1",
        "erp_is_staging": False,
    }
    return rehearsal_stack(**{**asked, **changes})  # type: ignore[arg-type]


def test_by_default_a_black_friday_at_its_own_pace():
    asked = rehearsal_asked(60, 1, None, None, None, False, 0.0)

    assert (asked.profile, asked.speed, asked.scale, asked.follow_ups) == ("black_friday", 1.0, None, False)


def test_a_scale_is_an_ordinary_day_arriving_that_many_times_as_fast():
    asked = rehearsal_asked(60, 1, None, None, 5.0, False, 0.0, follow_ups=True)

    assert (asked.profile, asked.speed, asked.scale, asked.follow_ups) == ("ordinary", 5.0, 5.0, True)


@pytest.mark.parametrize(("profile", "speed"), [("black_friday", None), (None, 2.0)])
def test_a_scale_with_a_profile_or_a_speed_is_refused(profile: str | None, speed: float | None):
    with pytest.raises(ValueError, match="--scale"):
        rehearsal_asked(60, 1, profile, speed, 2.0, False, 0.0)


def test_without_an_erp_address_the_stack_starts_its_own_tryton():
    options = a_stack()

    assert (options.erp, options.erp_url, options.shop_domain) == ("sqlite", None, None)


def test_an_existing_erp_is_refused_until_confirmed_a_staging_copy():
    with pytest.raises(ValueError, match=r"never production.*--erp-is-staging"):
        a_stack(erp_url="http://127.0.0.1:8000/", erp_database="staging", erp_password=PASSWORD)


def test_an_existing_erp_needs_its_database_and_a_password():
    with pytest.raises(ValueError, match=r"its database \(erp_database\); its password"):
        a_stack(erp_url="http://127.0.0.1:8000/", erp_is_staging=True)


def test_an_existing_erp_needs_an_http_address():
    with pytest.raises(ValueError, match="an http"):
        a_stack(erp_url="127.0.0.1:8000", erp_database="staging", erp_password=PASSWORD, erp_is_staging=True)


def test_a_database_or_password_without_an_erp_address_is_refused():
    with pytest.raises(ValueError, match="go with --erp-url"):
        a_stack(erp_database="staging")


def test_an_existing_staging_erp_is_used_as_given_with_a_shop_domain_of_each_runs_own():
    given = {
        "erp_url": "http://127.0.0.1:8000/",
        "erp_database": "staging",
        "erp_user": "trueup",
        "erp_password": PASSWORD,
        "erp_warehouse": "MAIN",
        "erp_is_staging": True,
    }

    first, second = a_stack(**given), a_stack(**given)

    assert (first.erp, first.erp_url, first.erp_database, first.erp_user) == (
        "external",
        "http://127.0.0.1:8000/",
        "staging",
        "trueup",
    )
    assert (first.erp_password, first.erp_warehouse) == (PASSWORD, "MAIN")
    assert first.shop_domain is not None
    assert first.shop_domain.endswith(".myshopify.com")
    assert first.shop_domain != second.shop_domain


def test_the_command_refuses_an_unconfirmed_erp_before_starting_anything(tmp_path: Path):
    argv = ["rehearse", "--dir", str(tmp_path / "r"), "--erp-url", "http://127.0.0.1:9/", "--erp-database", "db"]

    result = CliRunner().invoke(app, [*argv, "--erp-password-env", "STAGING_ERP_PASSWORD"], env=WIDE)

    assert result.exit_code == 2
    assert "--erp-is-staging" in result.output
    assert not (tmp_path / "r").exists(), "nothing was started"


def test_the_command_refuses_an_outage_of_an_existing_erp(tmp_path: Path):
    argv = ["rehearse", "--dir", str(tmp_path / "r"), "--erp-url", "http://127.0.0.1:9/", "--erp-database", "db"]
    argv += ["--erp-password-env", "STAGING_ERP_PASSWORD", "--erp-is-staging", "--erp-outage", "30"]

    result = CliRunner().invoke(app, argv, env=WIDE)

    assert result.exit_code == 2
    assert "--erp-outage" in result.output
    assert not (tmp_path / "r").exists()
