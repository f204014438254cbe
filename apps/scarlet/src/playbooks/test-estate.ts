/** The sandbox estate's call graph (CONTRACTS.md section 1), `namespace/name` → callees, for tests. */
export const ESTATE_CALLS: Readonly<Record<string, readonly string[]>> = {
  "shop/frontend": ["shop/checkout", "shop/catalog"],
  "shop/checkout": ["shop/payments", "shop/cart"],
  "shop/payments": [],
  "shop/cart": ["shop/redis-cart"],
  "shop/catalog": ["shop/catalog-db"],
  "shop/redis-cart": [],
  "shop/catalog-db": [],
  "platform/ingress-gateway": ["shop/frontend"],
  "batch/report-gen": ["shop/catalog"],
};
