// The public surface of @autodevops/shared. Each export is listed by name on purpose.
export { ok, err, type Result } from "./core/result.js";
export { fnv1a } from "./core/hash.js";

export {
  loadConfig,
  loadConfigOrExit,
  parseConfig,
  formatConfigIssues,
  describeConfig,
  ConfigError,
  type Config,
  type ConfigIssue,
} from "./config/config.js";
export { parseEndpoints, DEFAULT_ENDPOINT, type Endpoint } from "./config/endpoints.js";
export { ENV_DOCS, type EnvVarName, type EnvVarDoc } from "./config/env-schema.js";

export { createLogger, redactUrlCredentials, type Logger, type LoggerSettings } from "./logging/logger.js";
export { redactSecretFields, REDACTED } from "./logging/redact.js";

export {
  FAULT_KINDS,
  FaultKind,
  RootCauseKind,
  ACTION_KINDS,
  ActionKind,
  Severity,
  SignalSource,
  IncidentStatus,
  Route,
  Risk,
  ActionStatus,
  ApprovalStatus,
  ApprovalDecisionValue,
  Timestamp,
  K8sName,
} from "./domain/vocabulary.js";
export { Action, ActionParams, IncidentAction, Signal, RootCause, Decision, Incident } from "./domain/incident.js";
export { Finding } from "./domain/finding.js";
export { Approval, ApprovalDecision } from "./domain/approval.js";
export { canonicalJson } from "./policy/canonical-json.js";
export {
  DecisionClaims,
  DecisionLedger,
  generatePolicyKeys,
  peekDecision,
  signDecision,
  verifyDecision,
  type DecisionRejection,
} from "./policy/decision-token.js";
export { AlertmanagerWebhook, WebhookAlert, AlertStatus } from "./domain/alertmanager-webhook.js";
export { AUDIT_EVENT_TYPES, AuditEventType, AuditEvent, NewAuditEvent, targetRef } from "./domain/audit-event.js";

export { runMigrations, SHARED_MIGRATIONS_DIR, type MigrationOptions, type MigrationReport } from "./db/migrations.js";
export { PgAuditStore, type AuditStore, type AuditError } from "./audit/audit-store.js";
export { AuditQuery } from "./audit/audit-query.js";
export type { ChainVerification, ChainBreak } from "./audit/chain-verification.js";

export { createServiceMetrics, metricsHandler, type ServiceMetrics } from "./metrics/metrics.js";

export {
  createEventBus,
  BusTopics,
  Envelope,
  EventBusError,
  DEFAULT_CHANNEL_PREFIX,
  TOPIC_NAMES,
  isTopicName,
  type EventBusSettings,
  type EventBus,
  type BusEvent,
  type BusHandler,
  type TopicName,
  type TopicPayload,
  type Unsubscribe,
  type EventBusErrorCode,
  type ReconnectSettings,
} from "./bus/index.js";

export {
  startEmbeddedPostgres,
  clearStalePostmaster,
  embeddedPostgresPassword,
  embeddedPostgresUrl,
  embeddedPostgresPaths,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
  type EmbeddedPostgresExit,
  type EmbeddedPostgresError,
} from "./db/embedded-postgres.js";
export { readBodyLimited, declaredLength, isJsonContentType, sendJson, formatIssues, type BodyRead } from "./http/http-io.js";
export { stopWithParent } from "./process/stop-with-parent.js";
