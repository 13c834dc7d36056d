"""The GraphQL documents the trading plan sends: Shopify Admin API 2026-10, checked against the schema.

Each asks back only what the player needs to refer to later (ids of orders, line items, transactions,
calculated orders) and the userErrors.
"""

from __future__ import annotations

ORDER_CREATE = """
mutation TradeOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order {
      id
      name
      totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      lineItems(first: 50) { nodes { id sku quantity } }
      transactions(first: 5) { id kind status }
    }
    userErrors { field message }
  }
}
"""

ORDER_UPDATE = """
mutation TradeOrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id }
    userErrors { field message }
  }
}
"""

ORDER_CANCEL = """
mutation TradeOrderCancel(
  $orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!,
  $refundMethod: OrderCancelRefundMethodInput, $notifyCustomer: Boolean, $staffNote: String
) {
  orderCancel(
    orderId: $orderId, reason: $reason, restock: $restock,
    refundMethod: $refundMethod, notifyCustomer: $notifyCustomer, staffNote: $staffNote
  ) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

REFUND_CREATE = """
mutation TradeRefundCreate($input: RefundInput!, $idempotencyKey: String!) {
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
    refund { id totalRefundedSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_BEGIN = """
mutation TradeOrderEditBegin($id: ID!) {
  orderEditBegin(id: $id) {
    calculatedOrder { id lineItems(first: 50) { nodes { id sku quantity } } }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_ADD_VARIANT = """
mutation TradeOrderEditAddVariant($id: ID!, $variantId: ID!, $quantity: Int!) {
  orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity, allowDuplicates: false) {
    calculatedLineItem { id sku quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_SET_QUANTITY = """
mutation TradeOrderEditSetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!, $restock: Boolean) {
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: $restock) {
    calculatedLineItem { id quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT = """
mutation TradeOrderEditAddLineItemDiscount($id: ID!, $lineItemId: ID!, $discount: OrderEditAppliedDiscountInput!) {
  orderEditAddLineItemDiscount(id: $id, lineItemId: $lineItemId, discount: $discount) {
    calculatedLineItem { id }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_COMMIT = """
mutation TradeOrderEditCommit($id: ID!, $notifyCustomer: Boolean, $staffNote: String) {
  orderEditCommit(id: $id, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    order { id }
    userErrors { field message }
  }
}
"""

ORDER_CAPTURE = """
mutation TradeOrderCapture($input: OrderCaptureInput!) {
  orderCapture(input: $input) {
    transaction { id kind status errorCode }
    userErrors { field message }
  }
}
"""

ORDER_MARK_AS_PAID = """
mutation TradeOrderMarkAsPaid($input: OrderMarkAsPaidInput!) {
  orderMarkAsPaid(input: $input) {
    order { id displayFinancialStatus }
    userErrors { field message }
  }
}
"""

# Lookups the player makes before trading, to turn SKUs and names into the sandbox's ids.
VARIANTS_PAGE = """
query TradeVariants($after: String) {
  productVariants(first: 250, after: $after) {
    nodes { id sku }
    pageInfo { hasNextPage endCursor }
  }
}
"""

LOCATIONS = """
query TradeLocations {
  locations(first: 250) { nodes { id name } }
}
"""

COMPANY_LOCATIONS_PAGE = """
query TradeCompanyLocations($after: String) {
  companyLocations(first: 250, after: $after) {
    nodes { id name company { externalId } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ALL_DOCUMENTS = (
    ORDER_CREATE,
    ORDER_UPDATE,
    ORDER_CANCEL,
    REFUND_CREATE,
    ORDER_EDIT_BEGIN,
    ORDER_EDIT_ADD_VARIANT,
    ORDER_EDIT_SET_QUANTITY,
    ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT,
    ORDER_EDIT_COMMIT,
    ORDER_CAPTURE,
    ORDER_MARK_AS_PAID,
    VARIANTS_PAGE,
    LOCATIONS,
    COMPANY_LOCATIONS_PAGE,
)
