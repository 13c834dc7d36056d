"""Fulfilment settings in trueup.toml: locations reach the shop's policy, tracking URL templates the workers."""

from pathlib import Path

import pytest
from tests.unit.config.test_config import VALID, write

from trueup.bootstrap import posting_policy, worker_settings
from trueup.config import load_config
from trueup.domain.errors import BadInput


def test_locations_and_tracking_urls_reach_the_shop_policy_and_the_workers(tmp_path: Path) -> None:
    text = VALID.replace(
        'api_secret = { file = "secret.txt" }',
        'api_secret = { file = "secret.txt" }\n[shops.locations]\n"1" = "WH1"\n"gid://shopify/Location/2" = "WH2"',
    )
    text += '\n[tracking_urls]\n"DHL" = "https://dhl.example/track?id={number}"\n'
    config = load_config(write(tmp_path, text))
    assert posting_policy(config.shops[0], config).locations == {"1": "WH1", "gid://shopify/Location/2": "WH2"}
    assert worker_settings(config).tracking_urls == {"DHL": "https://dhl.example/track?id={number}"}


def test_a_tracking_url_without_its_number_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput) as error:
        load_config(write(tmp_path, VALID + '\n[tracking_urls]\n"DHL" = "https://dhl.example/track"\n'))
    assert "tracking_urls" in str(error.value)
