"""How a sandbox is configured: plan, credentials, the shop it starts with, its clock and webhook seams."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shopify_sandbox.clock import Clock, SystemClock
from shopify_sandbox.cost import DEFAULT_RULES, CostRules
from shopify_sandbox.events import SubscriptionRegistry, WebhookBus
from shopify_sandbox.oauth import SandboxApp
from shopify_sandbox.spec import ShopSpec

# Well-known credentials of a local sandbox (not secrets: whoever runs it picks their own with the CLI).
# Where the sandbox's commands read the token and secret when not given as options (an option's value is
# visible to every local user in `ps`; the environment is not).
TOKEN_ENV = "SHOPIFY_SANDBOX_ACCESS_TOKEN"  # noqa: S105 (the name of a variable)
SECRET_ENV = "SHOPIFY_SANDBOX_API_SECRET"  # noqa: S105 (the name of a variable)
DEFAULT_TOKEN = "shpat_sandbox_token"  # noqa: S105
DEFAULT_SECRET = "sandbox_api_secret"  # noqa: S105


@dataclass
class SandboxConfig:
    """Everything `create_app` needs. The shop comes from `shop_spec`, else from the trading generator with
    `seed` (when it is installed), else the small demo shop."""

    plan: str = "standard"
    access_token: str = DEFAULT_TOKEN
    api_secret: str = DEFAULT_SECRET
    shop_spec: ShopSpec | None = None
    seed: int | None = None
    clock: Clock = field(default_factory=SystemClock)
    bus: WebhookBus | None = None
    registry: SubscriptionRegistry | None = None
    cost_rules: CostRules = DEFAULT_RULES
    state_file: Path | None = None
    # A large catalogue for inventory at scale (shopify_sandbox.large_catalogue), instead of the seeded shop.
    catalogue_variants: int | None = None
    catalogue_locations: int = 3
    # Apps installed on the shop besides the static token's custom app (client credentials, installs).
    apps: tuple[SandboxApp, ...] = ()

    def resolve_shop_spec(self) -> ShopSpec:
        if self.shop_spec is not None:
            return self.shop_spec
        if self.catalogue_variants is not None:
            from shopify_sandbox.large_catalogue import large_catalogue_shop

            return large_catalogue_shop(self.catalogue_variants, self.catalogue_locations, self.seed or 1)
        if self.seed is not None:
            try:
                from shopify_sandbox.trading import generate_shop
            except ImportError:
                pass
            else:
                return generate_shop(self.seed)
        from shopify_sandbox.demo_shop import demo_shop_spec

        return demo_shop_spec()
