"""Every GraphQL document trueup sends to Shopify's Admin API, in one place.

A test validates each of them against Shopify's published schema (2026-10 and 2026-07) and checks that
its estimated cost stays under Shopify's 1000-point limit for a single query. Deprecated fields are
avoided on purpose (`Customer.email` → `defaultEmailAddress`, `callbackUrl` → `uri`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from trueup.domain.party_fields import MetafieldSource

# Largest `first` trueup uses for the orders page; the cost estimate below assumes it.
ORDERS_PAGE_SIZE = 50


@dataclass(frozen=True)
class Operation:
    """A named GraphQL document and an upper bound of its requested cost (the budget's first guess,
    replaced by the `requestedQueryCost` Shopify reports once the operation has run)."""

    name: str
    document: str
    estimated_cost: int


_MONEY_FRAGMENTS = """
fragment TrueupShopMoney on MoneyBag { shopMoney { amount currencyCode } }
fragment TrueupTaxLine on TaxLine { title rate priceSet { ...TrueupShopMoney } }
"""

_LINE_ITEM_FRAGMENT = """
fragment TrueupLineItem on LineItem {
  id
  sku
  title
  quantity
  currentQuantity
  originalUnitPriceSet { ...TrueupShopMoney }
  originalTotalSet { ...TrueupShopMoney }
  discountAllocations { allocatedAmountSet { ...TrueupShopMoney } }
  taxLines { ...TrueupTaxLine }
  lineItemGroup { id title quantity variantSku }
}
"""

_ORDER_FRAGMENT = (
    """
fragment TrueupMoneyBag on MoneyBag {
  shopMoney { amount currencyCode }
  presentmentMoney { amount currencyCode }
}
fragment TrueupAddress on MailingAddress {
  name firstName lastName company address1 address2 city zip provinceCode countryCodeV2 phone
}
fragment TrueupCompanyAddress on CompanyAddress {
  firstName lastName address1 address2 city zip countryCode phone
}
fragment TrueupOrder on Order {
  id
  name
  createdAt
  updatedAt
  cancelledAt
  displayFinancialStatus
  currencyCode
  presentmentCurrencyCode
  taxesIncluded
  poNumber
  tags
  email
  currentTotalPriceSet { ...TrueupMoneyBag }
  currentTotalTaxSet { ...TrueupMoneyBag }
  customer {
    id firstName lastName
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
  }
  shippingAddress { ...TrueupAddress }
  billingAddress { ...TrueupAddress }
  purchasingEntity {
    __typename
    ... on PurchasingCompany {
      company { id name externalId }
      location {
        id name externalId
        billingAddress { ...TrueupCompanyAddress }
        shippingAddress { ...TrueupCompanyAddress }
      }
    }
  }
  paymentTerms { paymentTermsName paymentTermsType dueInDays }
  refunds(first: 1) { id }
  transactions(first: 20) {
    id kind status gateway processedAt settlementCurrency
    amountSet { ...TrueupMoneyBag }
  }
  lineItems(first: 20) {
    pageInfo { hasNextPage endCursor }
    nodes { ...TrueupLineItem }
  }
  shippingLines(first: 10) {
    nodes {
      title
      originalPriceSet { ...TrueupShopMoney }
      discountAllocations { allocatedAmountSet { ...TrueupShopMoney } }
      taxLines { ...TrueupTaxLine }
    }
  }
}
"""
    + _LINE_ITEM_FRAGMENT
    + _MONEY_FRAGMENTS
)

# Where the selections of configured metafields go in the order fragment.
_CUSTOMER_SELECTION = "    defaultPhoneNumber { phoneNumber }\n"
_COMPANY_SELECTION = "company { id name externalId"


def metafield_aliases(sources: Sequence[MetafieldSource]) -> dict[str, MetafieldSource]:
    """The alias each metafield is selected under on its owner (m0, m1, …): how the answer is read back."""
    return {f"m{index}": source for index, source in enumerate(sources)}


def _metafield_selections(sources: Sequence[MetafieldSource]) -> str:
    # json.dumps gives a valid GraphQL string literal; namespaces and keys are checked by the configuration.
    return "".join(
        f" {alias}: metafield(namespace: {json.dumps(source.namespace)}, key: {json.dumps(source.key)}) {{ value }}"
        for alias, source in metafield_aliases(sources).items()
    )


def fetch_order(
    customer_metafields: Sequence[MetafieldSource] = (), company_metafields: Sequence[MetafieldSource] = ()
) -> Operation:
    """The order query, with the configured metafields of its customer and its company selected in the same
    document (aliased, see `metafield_aliases`): one query per order whatever the configuration."""
    fragment = _ORDER_FRAGMENT
    if customer_metafields:
        selections = f"{_CUSTOMER_SELECTION}   {_metafield_selections(customer_metafields)}\n"
        fragment = fragment.replace(_CUSTOMER_SELECTION, selections)
    fragment = fragment.replace(_COMPANY_SELECTION, _COMPANY_SELECTION + _metafield_selections(company_metafields))
    return Operation(
        name="TrueupFetchOrder",
        document="query TrueupFetchOrder($id: ID!) { order(id: $id) { ...TrueupOrder } }\n" + fragment,
        estimated_cost=350 + len(customer_metafields) + len(company_metafields),
    )


FETCH_ORDER = fetch_order()

ORDER_LINE_ITEMS_PAGE = Operation(
    name="TrueupOrderLineItems",
    document="""
query TrueupOrderLineItems($id: ID!, $after: String) {
  order(id: $id) {
    id
    lineItems(first: 50, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...TrueupLineItem }
    }
  }
}
"""
    + _LINE_ITEM_FRAGMENT
    + _MONEY_FRAGMENTS,
    estimated_cost=600,
)

ORDERS_UPDATED_SINCE = Operation(
    name="TrueupOrdersUpdatedSince",
    document="""
query TrueupOrdersUpdatedSince($query: String!, $first: Int!, $after: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id updatedAt }
  }
}
""",
    estimated_cost=2 + ORDERS_PAGE_SIZE,
)

ORDER_SUMMARIES_SINCE = Operation(
    name="TrueupOrderSummariesSince",
    document="""
query TrueupOrderSummariesSince($query: String!, $first: Int!, $after: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name updatedAt cancelledAt displayFinancialStatus
      paymentTerms { id }
      currentTotalPriceSet { shopMoney { amount currencyCode } }
    }
  }
}
""",
    estimated_cost=2 + ORDERS_PAGE_SIZE * 4,
)

WEBHOOK_SUBSCRIPTIONS = Operation(
    name="TrueupWebhookSubscriptions",
    document="""
query TrueupWebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic uri }
  }
}
""",
    estimated_cost=102,
)

WEBHOOK_SUBSCRIPTION_CREATE = Operation(
    name="TrueupWebhookSubscriptionCreate",
    document="""
mutation TrueupWebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
""",
    estimated_cost=20,
)

WEBHOOK_SUBSCRIPTION_UPDATE = Operation(
    name="TrueupWebhookSubscriptionUpdate",
    document="""
mutation TrueupWebhookSubscriptionUpdate($id: ID!, $uri: String!) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: {uri: $uri}) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
""",
    estimated_cost=20,
)

WEBHOOK_SUBSCRIPTION_DELETE = Operation(
    name="TrueupWebhookSubscriptionDelete",
    document="""
mutation TrueupWebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
""",
    estimated_cost=10,
)

GRANTED_SCOPES = Operation(
    name="TrueupGrantedScopes",
    document="""
query TrueupGrantedScopes {
  currentAppInstallation { accessScopes { handle } }
}
""",
    estimated_cost=2,
)

CATALOGUE_PAGE = Operation(
    name="TrueupCatalogue",
    document="""
query TrueupCatalogue($after: String) {
  shop { currencyCode }
  productVariants(first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      sku
      displayName
      price
      inventoryItem { id }
      productVariantComponents(first: 1) { nodes { id } }
    }
  }
}
""",
    estimated_cost=260,
)

VARIANT_COMPONENTS = Operation(
    name="TrueupVariantComponents",
    document="""
query TrueupVariantComponents($id: ID!, $after: String) {
  productVariant(id: $id) {
    id
    productVariantComponents(first: 50, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { quantity productVariant { id sku } }
    }
  }
}
""",
    estimated_cost=110,
)

SHOP_INFO = Operation(
    name="TrueupShopInfo",
    document="""
query TrueupShopInfo($after: String) {
  shop { name myshopifyDomain currencyCode taxesIncluded }
  locations(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isActive }
  }
}
""",
    estimated_cost=110,
)

ORDER_FULFILMENT = Operation(
    name="TrueupOrderFulfilment",
    document="""
query TrueupOrderFulfilment($id: ID!, $after: String) {
  order(id: $id) {
    id
    fulfillments(first: 250) { id }
    fulfillmentOrders(first: 10, after: $after) {
      nodes {
        id
        status
        assignedLocation { location { id } }
        lineItems(first: 50) {
          nodes { id sku remainingQuantity }
          pageInfo { hasNextPage endCursor }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""",
    estimated_cost=650,
)

FULFILLMENT_ORDER_LINES_PAGE = Operation(
    name="TrueupFulfillmentOrderLines",
    document="""
query TrueupFulfillmentOrderLines($id: ID!, $after: String) {
  fulfillmentOrder(id: $id) {
    lineItems(first: 250, after: $after) {
      nodes { id sku remainingQuantity }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""",
    estimated_cost=260,
)

FULFILLMENT_TRACKING_UPDATE = Operation(
    name="TrueupFulfillmentTrackingUpdate",
    document="""
mutation TrueupFulfillmentTrackingUpdate($id: ID!, $tracking: FulfillmentTrackingInput!, $notify: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $tracking, notifyCustomer: $notify) {
    fulfillment { id }
    userErrors { field message }
  }
}
""",
    estimated_cost=10,
)

FULFILLMENT_CREATE = Operation(
    name="TrueupFulfillmentCreate",
    document="""
mutation TrueupFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id }
    userErrors { field message }
  }
}
""",
    estimated_cost=10,
)

# --- inventory ----------------------------------------------------------------------------------
# Largest number of SKUs read per inventory query, and of levels read per item in it (locations).
INVENTORY_SKUS_PER_QUERY = 25
INVENTORY_LEVELS_PER_ITEM = 5  # more are paged (TrueupInventoryItemLevels)

LOCATIONS = Operation(
    name="TrueupLocations",
    document="""
query TrueupLocations($after: String) {
  locations(first: 100, after: $after, includeInactive: true) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isActive }
  }
}
""",
    estimated_cost=110,
)

_INVENTORY_LEVEL_FRAGMENT = """
fragment TrueupAvailableLevel on InventoryLevel {
  updatedAt
  location { id }
  quantities(names: ["available", "committed"]) { name quantity }
}
"""

INVENTORY_BY_SKU = Operation(
    name="TrueupInventoryBySku",
    document="""
query TrueupInventoryBySku($query: String!, $after: String) {
  inventoryItems(first: 25, query: $query, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      sku
      tracked
      inventoryLevels(first: 5) {
        pageInfo { hasNextPage endCursor }
        nodes { ...TrueupAvailableLevel }
      }
    }
  }
}
"""
    + _INVENTORY_LEVEL_FRAGMENT,
    estimated_cost=460,
)

INVENTORY_ITEM_LEVELS = Operation(
    name="TrueupInventoryItemLevels",
    document="""
query TrueupInventoryItemLevels($id: ID!, $after: String) {
  inventoryItem(id: $id) {
    id
    inventoryLevels(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...TrueupAvailableLevel }
    }
  }
}
"""
    + _INVENTORY_LEVEL_FRAGMENT,
    estimated_cost=310,
)

# Never sent as an operation: the query a bulk operation runs (bulkOperationRunQuery's `query`).
INVENTORY_BULK_QUERY = Operation(
    name="TrueupInventoryBulk",
    document="""
query TrueupInventoryBulk {
  inventoryItems {
    edges {
      node {
        id
        sku
        tracked
        inventoryLevels {
          edges { node { updatedAt location { id } quantities(names: ["available", "committed"]) { name quantity } } }
        }
      }
    }
  }
}
""",
    estimated_cost=10,
)

BULK_OPERATION_RUN_QUERY = Operation(
    name="TrueupBulkOperationRunQuery",
    document="""
mutation TrueupBulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
""",
    estimated_cost=10,
)

BULK_OPERATION = Operation(
    name="TrueupBulkOperation",
    document="""
query TrueupBulkOperation($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount url partialDataUrl }
}
""",
    estimated_cost=2,
)

INVENTORY_SET_QUANTITIES = Operation(
    name="TrueupInventorySetQuantities",
    document="""
mutation TrueupInventorySetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}
""",
    estimated_cost=10,
)

# An order's refunds, oldest first, with what each gave back: lines (and where they were restocked), shipping
# and order adjustments. Shopify keeps few refunds per order; a refund of more than 50 lines is refused.
ORDER_REFUNDS = Operation(
    name="TrueupOrderRefunds",
    document="""
query TrueupOrderRefunds($id: ID!) {
  order(id: $id) {
    id
    currencyCode
    taxesIncluded
    refunds(first: 50) {
      id
      createdAt
      note
      totalRefundedSet { ...TrueupShopMoney }
      transactions(first: 10) { nodes { id } }
      refundLineItems(first: 50) {
        pageInfo { hasNextPage }
        nodes {
          quantity
          restockType
          location { id }
          subtotalSet { ...TrueupShopMoney }
          totalTaxSet { ...TrueupShopMoney }
          lineItem { id sku title taxLines { ...TrueupTaxLine } }
        }
      }
      refundShippingLines(first: 5) {
        nodes {
          subtotalAmountSet { ...TrueupShopMoney }
          taxAmountSet { ...TrueupShopMoney }
          shippingLine { title taxLines { ...TrueupTaxLine } }
        }
      }
      orderAdjustments(first: 5) {
        nodes { reason amountSet { ...TrueupShopMoney } taxAmountSet { ...TrueupShopMoney } }
      }
    }
  }
}
"""
    + _MONEY_FRAGMENTS,
    estimated_cost=600,
)

ORDER_HOLDS = Operation(
    name="TrueupOrderHolds",
    document="""
query TrueupOrderHolds($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 20) {
      nodes { id status fulfillmentHolds { id handle heldByRequestingApp } }
    }
  }
}
""",
    estimated_cost=25,
)

FULFILLMENT_ORDER_HOLD = Operation(
    name="TrueupFulfillmentOrderHold",
    document="""
mutation TrueupFulfillmentOrderHold($id: ID!, $hold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
    fulfillmentHold { id handle }
    fulfillmentOrder { id status }
    userErrors { field message code }
  }
}
""",
    estimated_cost=10,
)

FULFILLMENT_ORDER_RELEASE_HOLD = Operation(
    name="TrueupFulfillmentOrderReleaseHold",
    document="""
mutation TrueupFulfillmentOrderReleaseHold($id: ID!, $holdIds: [ID!]) {
  fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds) {
    fulfillmentOrder { id status }
    userErrors { field message code }
  }
}
""",
    estimated_cost=10,
)


PAYOUTS_PAGE_SIZE = 50
PAYOUTS_SINCE = Operation(
    name="TrueupPayoutsSince",
    document="""
query TrueupPayoutsSince($query: String!, $first: Int!, $after: String) {
  shopifyPaymentsAccount {
    payouts(first: $first, after: $after, query: $query, sortKey: ISSUED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes { id legacyResourceId status issuedAt net { amount currencyCode } }
    }
  }
}
""",
    estimated_cost=3 + PAYOUTS_PAGE_SIZE * 2,
)

# A payout's balance transactions, its own TRANSFER hidden: three money objects and the order each.
PAYOUT_TRANSACTIONS_PAGE_SIZE = 100
PAYOUT_TRANSACTIONS = Operation(
    name="TrueupPayoutTransactions",
    document="""
query TrueupPayoutTransactions($query: String!, $first: Int!, $after: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: $first, after: $after, query: $query, hideTransfers: true, sortKey: PROCESSED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id type transactionDate
        amount { amount currencyCode } fee { amount currencyCode } net { amount currencyCode }
        associatedOrder { id name }
      }
    }
  }
}
""",
    estimated_cost=3 + PAYOUT_TRANSACTIONS_PAGE_SIZE * 5,
)

ALL_OPERATIONS: tuple[Operation, ...] = (
    ORDER_HOLDS,
    PAYOUTS_SINCE,
    PAYOUT_TRANSACTIONS,
    FULFILLMENT_ORDER_HOLD,
    FULFILLMENT_ORDER_RELEASE_HOLD,
    FETCH_ORDER,
    ORDER_LINE_ITEMS_PAGE,
    ORDERS_UPDATED_SINCE,
    ORDER_SUMMARIES_SINCE,
    WEBHOOK_SUBSCRIPTIONS,
    WEBHOOK_SUBSCRIPTION_CREATE,
    WEBHOOK_SUBSCRIPTION_UPDATE,
    WEBHOOK_SUBSCRIPTION_DELETE,
    GRANTED_SCOPES,
    CATALOGUE_PAGE,
    VARIANT_COMPONENTS,
    SHOP_INFO,
    ORDER_FULFILMENT,
    FULFILLMENT_CREATE,
    FULFILLMENT_ORDER_LINES_PAGE,
    FULFILLMENT_TRACKING_UPDATE,
    LOCATIONS,
    INVENTORY_BY_SKU,
    INVENTORY_ITEM_LEVELS,
    INVENTORY_BULK_QUERY,
    BULK_OPERATION_RUN_QUERY,
    BULK_OPERATION,
    INVENTORY_SET_QUANTITIES,
    ORDER_REFUNDS,
)
