// Drives Shopify's official @shopify/admin-api-client, unchanged, against a Shopify sandbox.
//
//   node run_admin_client.mjs --url http://127.0.0.1:PORT --shop demo.myshopify.com --token TOKEN [--version 2026-10]
//   (or SANDBOX_URL, SHOP_DOMAIN, SHOPIFY_ACCESS_TOKEN, SHOPIFY_API_VERSION in the environment)
//
// The client builds https://{shop}/admin/api/{version}/graphql.json itself; the only thing changed is
// where that request goes: `customFetchApi` swaps the origin for the sandbox's, and records what was sent.
// Prints one JSON document: the answers of a query and of a mutation, and what the client sent.
import { createAdminApiClient } from '@shopify/admin-api-client';

function option(name, envName, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at !== -1 && process.argv[at + 1]) return process.argv[at + 1];
  return process.env[envName] ?? fallback;
}

const sandboxUrl = option('url', 'SANDBOX_URL');
const shop = option('shop', 'SHOP_DOMAIN', 'demo.myshopify.com');
const token = option('token', 'SHOPIFY_ACCESS_TOKEN');
const apiVersion = option('version', 'SHOPIFY_API_VERSION', '2026-10');
if (!sandboxUrl || !token) {
  console.error('usage: node run_admin_client.mjs --url http://127.0.0.1:PORT --token TOKEN [--shop DOMAIN]');
  process.exit(2);
}

const sent = [];
const logs = [];

async function toSandbox(url, init) {
  const target = new URL(url);
  const rewritten = new URL(target.pathname + target.search, sandboxUrl);
  const headers = Object.fromEntries(new Headers(init?.headers ?? {}).entries());
  sent.push({
    clientUrl: String(url),
    method: init?.method,
    headerNames: Object.keys(headers).sort(),
    tokenHeaderMatches: headers['x-shopify-access-token'] === token,
  });
  return fetch(rewritten, init);
}

const client = createAdminApiClient({
  storeDomain: shop,
  apiVersion,
  accessToken: token,
  customFetchApi: toSandbox,
  logger: (entry) => { if (entry.type !== 'HTTP-Response') logs.push(entry.type); },
});

const QUERY = `#graphql
  query ShopAndVariants {
    shop { name currencyCode }
    productVariants(first: 5) { nodes { id sku price } }
  }`;

const MUTATION = `#graphql
  mutation PlaceOrder($order: OrderCreateOrderInput!) {
    orderCreate(order: $order) {
      order { id name displayFinancialStatus currentTotalPriceSet { shopMoney { amount currencyCode } } }
      userErrors { field message }
    }
  }`;

const PAYMENTS = `#graphql
  query Payouts {
    shopifyPaymentsAccount {
      balance { amount currencyCode }
      payouts(first: 5) { nodes { id legacyResourceId status net { amount currencyCode }
        summary { chargesGross { amount } chargesFee { amount } } } }
      balanceTransactions(first: 10, hideTransfers: true) {
        nodes { type amount { amount } fee { amount } net { amount } associatedPayout { id status } } }
    }
  }`;

function outcome(response) {
  const { data, extensions, errors } = response;
  return {
    data: data ?? null,
    extensions: extensions ?? null,
    errors: errors ? { message: errors.message, networkStatusCode: errors.networkStatusCode, graphQLErrors: errors.graphQLErrors ?? [] } : null,
  };
}

const query = outcome(await client.request(QUERY));
const variant = query.data?.productVariants?.nodes?.find((node) => node.sku);
let mutation = null;
if (variant) {
  const order = {
    email: 'official.client@example.com',
    financialStatus: 'PAID',
    lineItems: [{ variantId: variant.id, quantity: 2 }],
  };
  mutation = outcome(await client.request(MUTATION, { variables: { order } }));
}

const payments = outcome(await client.request(PAYMENTS));

console.log(JSON.stringify({ apiVersion, query, mutation, payments, variant: variant ?? null, sent, logs }));
