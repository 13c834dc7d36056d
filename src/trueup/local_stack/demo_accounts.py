"""The demo business's accounts for payments and payouts, added to the account module's chart inside trytond.

Called by `demo_business.set_up` in its transaction. The codes are the defaults of `[payments]`
(config.PaymentsConfig), so the demo runs with no `[payments]` section; a brand maps its own chart there.

- Banks, one per payout currency (a second currency on each foreign one, as Tryton wants for a bank account
  kept in that currency), and a clearing account per gateway and currency: the money a gateway owes the company
  between the customer paying and the payout reaching the bank.
- Gift cards outstanding (a liability), Shopify Payments fees (an expense), chargebacks withheld, reserves held
  and payouts returned (what Shopify holds back or sends again: assets), adjustments and exchange differences.
- The journal "Shopify Payments" (SHOPIFY) every payout entry is booked on.
"""

from __future__ import annotations

from typing import Any

from trueup.config import PaymentsConfig

JOURNAL_CODE = "SHOPIFY"
_DEFAULTS = PaymentsConfig()

# code -> (name, the account type's template id in the account module, reconcile, second currency)
_ACCOUNTS: dict[str, tuple[str, str, bool, str | None]] = {
    **{
        code: (f"Bank {currency}", "account_type_template_cash", False, currency if currency != "EUR" else None)
        for currency, code in _DEFAULTS.bank.items()
    },
    **{
        code: (
            f"Clearing {key.split(':')[0]} {key.split(':')[1]}",
            "account_type_template_current_assets",
            True,
            key.split(":")[1] if key.split(":")[1] != "EUR" else None,
        )
        for key, code in _DEFAULTS.clearing.items()
    },
    _DEFAULTS.gift_cards: ("Gift cards outstanding", "account_type_template_current_liabilities", True, None),
    _DEFAULTS.fee_expense: ("Shopify Payments fees", "account_type_template_expenses", False, None),
    _DEFAULTS.exchange_difference: ("Payout exchange differences", "account_type_template_other_expenses", False, None),
    _DEFAULTS.returned_payouts: ("Payouts returned by the bank", "account_type_template_current_assets", True, None),
    **{
        code: (name, "account_type_template_current_assets", True, None)
        for code, name in (("4671", "Chargebacks withheld by Shopify"), ("4672", "Reserves held by Shopify"))
    },
    "6581": ("Shopify Payments adjustments", "account_type_template_other_expenses", False, None),
}


def create_payment_accounts(pool: Any, company: Any) -> None:
    """The accounts above under the chart's root, and the Shopify Payments journal."""
    model_data = pool.get("ir.model.data")
    type_model = pool.get("account.account.type")
    account_model = pool.get("account.account")
    currencies = {c.code: c.id for c in pool.get("currency.currency").search([])}
    (root,) = account_model.search([("company", "=", company.id), ("parent", "=", None)], limit=1)

    def type_of(template_xml_id: str) -> int:
        template = model_data.get_id("account", f"{template_xml_id}_en")  # the English chart
        (found,) = type_model.search([("company", "=", company.id), ("template", "=", template)], limit=1)
        return int(found.id)

    account_model.create(
        [
            {
                "code": code,
                "name": name,
                "company": company.id,
                "parent": root.id,
                "type": type_of(type_template),
                "reconcile": reconcile,
                "second_currency": currencies[second] if second else None,
            }
            for code, (name, type_template, reconcile, second) in _ACCOUNTS.items()
        ]
    )
    pool.get("account.journal").create([{"name": "Shopify Payments", "code": JOURNAL_CODE, "type": "general"}])
