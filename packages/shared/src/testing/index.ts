// `@autodevops/shared/testing`: helpers for the tests of every workspace (never imported by product code).
export { assertRedisReachable, createTestDatabase, testAdminUrl, testRedisUrl, type TestDatabase } from "./databases.js";
export { eventually } from "./eventually.js";
