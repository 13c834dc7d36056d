"""The demo business trueup's embedded Tryton starts with, set up inside trytond itself.

Run as `python -m trueup.local_stack.demo_business CONFIG DATABASE` (a subprocess, after `trytond-admin`
activated the modules): it talks to trytond's models directly, in one transaction, which is both faster and
more reliable than driving the client-side wizards over JSON-RPC. Nothing here runs at import time.

What it creates: a company in EUR (with USD, GBP and CAD rates), the account module's chart of accounts, fiscal
years for this year and the next with their periods and sequences, two VAT taxes whose *names* are their codes
(Tryton's account.tax has no code field), payment terms "Immediate" and "Net 30", warehouses WH1 and WH2, a
goods category with its accounts, the service products SHIPPING and TAX-ROUNDING, the carriers DHL
Express and UPS, and the accounts and journal of payments and payouts (demo_accounts.py).
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import Any

from trueup.adapters.tryton.database import ROUNDING_PRODUCT
from trueup.domain.posting import SHIPPING_SKU
from trueup.local_stack.demo_accounts import create_payment_accounts

# Bump when what this module creates changes: it is part of the template cache key.
SETUP_VERSION = "6"

COMPANY_NAME = "Trueup Demo Shop"
COMPANY_CURRENCY = "EUR"
TAXES = {"VAT20": Decimal("0.20"), "VAT5.5": Decimal("0.055")}
PAYMENT_TERMS = {"Immediate": 0, "Net 15": 15, "Net 30": 30, "Net 60": 60}
DEFAULT_PAYMENT_TERM = "Immediate"
WAREHOUSES = {"WH1": "Warehouse 1", "WH2": "Warehouse 2"}
GOODS_CATEGORY = "Goods"
SHIPPING_CODE = SHIPPING_SKU  # the shipping product trueup books on by default (`shipping_sku`)
ROUNDING_CODE = ROUNDING_PRODUCT  # the Tryton adapter's tax-rounding product
CARRIERS = {"DHL Express": "CARRIER-DHL", "UPS": "CARRIER-UPS"}  # carrier party name -> its service product

# (code, name, numeric code, symbol, rate against EUR)
_CURRENCIES = [
    ("EUR", "Euro", "978", "€", Decimal(1)),
    ("USD", "US Dollar", "840", "$", Decimal("1.08")),
    ("GBP", "Pound Sterling", "826", "£", Decimal("0.85")),
    ("CAD", "Canadian Dollar", "124", "$", Decimal("1.47")),
]
# pycountry is not installed, so the countries orders commonly ship to are listed here.
_COUNTRIES = {
    "AT": "Austria",
    "AU": "Australia",
    "BE": "Belgium",
    "CA": "Canada",
    "CH": "Switzerland",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "GR": "Greece",
    "IE": "Ireland",
    "IT": "Italy",
    "JP": "Japan",
    "LU": "Luxembourg",
    "NL": "Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "PL": "Poland",
    "PT": "Portugal",
    "SE": "Sweden",
    "US": "United States",
}


def set_up(pool: Any, today: dt.date) -> None:
    """Create the demo business in the open transaction of `pool`'s database."""
    from trytond.transaction import Transaction

    currencies = _create_currencies(pool)
    _create_countries(pool)
    company = _create_company(pool, currencies[COMPANY_CURRENCY])
    with Transaction().set_context(company=company.id):
        accounts = _create_chart(pool, company)
        for year in (today.year, today.year + 1):
            _create_fiscal_year(pool, company, year)
        taxes = _create_taxes(pool, company, accounts["tax"])
        _create_payment_terms(pool)
        _configure(pool, accounts)
        _create_warehouses(pool)
        category = _create_goods_category(pool, accounts, taxes["VAT20"])
        _create_shipping_product(pool, category)
        _create_carriers(pool, category)
        create_payment_accounts(pool, company)


def _create_currencies(pool: Any) -> dict[str, Any]:
    currency_model = pool.get("currency.currency")
    created = currency_model.create(
        [
            {
                "code": code,
                "name": name,
                "numeric_code": numeric,
                "symbol": symbol,
                "rounding": Decimal("0.01"),
                "digits": 2,
                "rates": [("create", [{"date": dt.date(2000, 1, 1), "rate": rate}])],
            }
            for code, name, numeric, symbol, rate in _CURRENCIES
        ]
    )
    return {c.code: c for c in created}


def _create_countries(pool: Any) -> None:
    pool.get("country.country").create([{"code": code, "name": name} for code, name in _COUNTRIES.items()])


def _create_company(pool: Any, currency: Any) -> Any:
    party = pool.get("party.party").create([{"name": COMPANY_NAME, "addresses": [("create", [{}])]}])[0]
    company = pool.get("company.company").create([{"party": party.id, "currency": currency.id}])[0]
    user_model = pool.get("res.user")
    admins = user_model.search([("login", "=", "admin")])
    user_model.write(admins, {"companies": [("add", [company.id])], "company": company.id})
    return company


def _create_chart(pool: Any, company: Any) -> dict[str, Any]:
    """The same steps as the account.create_chart wizard, from the account module's own template."""
    model_data = pool.get("ir.model.data")
    template = pool.get("account.account.template")(model_data.get_id("account", "account_template_root_en"))
    template2type: dict[Any, Any] = {}
    template.type.create_type(company.id, template2type=template2type)
    template2account: dict[Any, Any] = {}
    template.create_account(company.id, template2account=template2account, template2type=template2type)
    template2tax: dict[Any, Any] = {}
    pool.get("account.tax.template").create_tax(
        template.id, company.id, template2account=template2account, template2tax=template2tax
    )
    template.update_account2(template2account, template2tax)
    account_model = pool.get("account.account")

    def first(domain: list[Any]) -> Any:
        found = account_model.search([("company", "=", company.id), ("closed", "!=", True), *domain], limit=1)
        return found[0]

    return {
        "receivable": first([("type.receivable", "=", True), ("party_required", "=", True)]),
        "payable": first([("type.payable", "=", True), ("party_required", "=", True)]),
        "revenue": first([("type.revenue", "=", True)]),
        "expense": first([("type.expense", "=", True)]),
        "tax": first([("code", "=", "6.3.6")]),
    }


def _sequence_type(pool: Any, module: str, xml_id: str) -> int:
    return int(pool.get("ir.model.data").get_id(module, xml_id))


def _create_fiscal_year(pool: Any, company: Any, year: int) -> None:
    strict = pool.get("ir.sequence.strict")
    move_type = _sequence_type(pool, "account", "sequence_type_account_move")
    invoice_type = _sequence_type(pool, "account_invoice", "sequence_type_account_invoice")
    move_seq, invoice_seq, credit_seq = strict.create(
        [
            {"name": f"Moves {year}", "sequence_type": move_type, "company": company.id},
            {"name": f"Invoices {year}", "sequence_type": invoice_type, "company": company.id, "prefix": f"INV{year}-"},
            {
                "name": f"Credit notes {year}",
                "sequence_type": invoice_type,
                "company": company.id,
                "prefix": f"CN{year}-",
            },
        ]
    )
    fiscal_year_model = pool.get("account.fiscalyear")
    fiscal_year = fiscal_year_model.create(
        [
            {
                "name": str(year),
                "start_date": dt.date(year, 1, 1),
                "end_date": dt.date(year, 12, 31),
                "company": company.id,
                "move_sequence": move_seq.id,
                "invoice_sequences": [
                    (
                        "create",
                        [
                            {
                                "company": company.id,
                                "out_invoice_sequence": invoice_seq.id,
                                "in_invoice_sequence": invoice_seq.id,
                                "out_credit_note_sequence": credit_seq.id,
                                "in_credit_note_sequence": credit_seq.id,
                            }
                        ],
                    )
                ],
            }
        ]
    )
    fiscal_year_model.create_period(fiscal_year)


def _create_taxes(pool: Any, company: Any, tax_account: Any) -> dict[str, Any]:
    created = pool.get("account.tax").create(
        [
            {
                "name": code,
                "description": f"VAT {rate * 100:g} %",
                "type": "percentage",
                "rate": rate,
                "company": company.id,
                "invoice_account": tax_account.id,
                "credit_note_account": tax_account.id,
            }
            for code, rate in TAXES.items()
        ]
    )
    return {t.name: t for t in created}


def _create_payment_terms(pool: Any) -> None:
    def lines(days: int) -> list[Any]:
        deltas = [("create", [{"days": days, "months": 0, "weeks": 0}])] if days else []
        return [("create", [{"type": "remainder", "relativedeltas": deltas}])]

    pool.get("account.invoice.payment_term").create(
        [{"name": name, "lines": lines(days)} for name, days in PAYMENT_TERMS.items()]
    )


def _configure(pool: Any, accounts: dict[str, Any]) -> None:
    term_model = pool.get("account.invoice.payment_term")
    immediate = term_model.search([("name", "=", DEFAULT_PAYMENT_TERM)])[0]
    config = pool.get("account.configuration")(1)
    config.default_account_receivable = accounts["receivable"]
    config.default_account_payable = accounts["payable"]
    config.default_category_account_revenue = accounts["revenue"]
    config.default_category_account_expense = accounts["expense"]
    config.default_customer_payment_term = immediate
    # Invoices and credit notes in another currency than the company's book their exchange difference here.
    config.currency_exchange_credit_account = accounts["revenue"]
    config.currency_exchange_debit_account = accounts["expense"]
    # Shopify rounds tax per line item; Tryton then matches it to the cent.
    config.tax_rounding = "line"
    config.save()


def _create_warehouses(pool: Any) -> None:
    location_model = pool.get("stock.location")
    model_data = pool.get("ir.model.data")
    first = location_model(model_data.get_id("stock", "location_warehouse"))
    codes = iter(WAREHOUSES.items())
    code, name = next(codes)
    location_model.write([first], {"code": code, "name": name})
    for code, name in codes:
        inner = location_model.create(
            [{"name": f"{name} {part}", "type": "storage"} for part in ("Input", "Output", "Storage")]
        )
        location_model.create(
            [
                {
                    "name": name,
                    "code": code,
                    "type": "warehouse",
                    "input_location": inner[0].id,
                    "output_location": inner[1].id,
                    "storage_location": inner[2].id,
                }
            ]
        )


def _create_goods_category(pool: Any, accounts: dict[str, Any], tax: Any) -> Any:
    return pool.get("product.category").create(
        [
            {
                "name": GOODS_CATEGORY,
                "accounting": True,
                "account_revenue": accounts["revenue"].id,
                "account_expense": accounts["expense"].id,
                "customer_taxes": [("add", [tax.id])],
            }
        ]
    )[0]


def _create_shipping_product(pool: Any, category: Any) -> None:
    """The service products trueup posts besides goods: shipping, and tax rounding (untaxed)."""
    unit = pool.get("ir.model.data").get_id("product", "uom_unit")
    pool.get("product.template").create(
        [
            {
                "name": name,
                "code": code,
                "type": "service",
                "default_uom": unit,
                "salable": True,
                "sale_uom": unit,
                "list_price": Decimal(0),
                "account_category": category.id,
                "products": [("create", [{}])],
            }
            for name, code in (("Shipping", SHIPPING_CODE), ("Tax rounding", ROUNDING_CODE))
        ]
    )


def _create_carriers(pool: Any, category: Any) -> None:
    """The carriers a warehouse can put on a customer shipment (Tryton's carrier module): each a party and
    the service product its work is invoiced by."""
    unit = pool.get("ir.model.data").get_id("product", "uom_unit")
    for name, code in CARRIERS.items():
        (party,) = pool.get("party.party").create([{"name": name}])
        (template,) = pool.get("product.template").create(
            [
                {
                    "name": f"{name} delivery",
                    "code": code,
                    "type": "service",
                    "default_uom": unit,
                    "list_price": Decimal(0),
                    "account_category": category.id,
                    "products": [("create", [{}])],
                }
            ]
        )
        pool.get("carrier").create([{"party": party.id, "carrier_product": template.products[0].id}])


def main(argv: list[str]) -> None:
    """Entry point of the set-up subprocess: `CONFIG DATABASE`."""
    config_path, database = argv
    import trytond.config

    trytond.config.update_etc(config_path)
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    Pool.start()
    pool = Pool(database)
    pool.init()
    extras: dict[str, Any] = {}
    while True:  # as trytond-admin does: a table lock asked mid-way restarts the transaction with it
        with Transaction().start(database, 0, context={"language": "en"}, **extras) as transaction:
            try:
                set_up(pool, dt.date.today())
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            return


if __name__ == "__main__":
    main(sys.argv[1:])
