import type { z } from "zod";
import type { Result } from "@autodevops/shared";
import type { Mutation, MutationLog } from "../api/mutation-log.js";
import type { ContainerContext } from "../controllers/container-behaviour.js";
import type { NodeHealthBoard } from "../controllers/node-health.js";
import type { ClusterStore } from "../store/cluster-store.js";
import type { ServiceModifier } from "../telemetry/telemetry-modifiers.js";
import type { ContainerFaultEffect } from "./fault-effects.js";
import type { Fault } from "./fault-model.js";

/** What a fault acts on in one cluster. */
export type FaultCluster = { name: string; store: ClusterStore; nodeHealth: NodeHealthBoard };

/** Who asked for what: the request as the registry validated it. */
export type InjectContext = {
  cluster: FaultCluster;
  namespace: string;
  target: string;
  now: Date;
  /**
   * Records a change that stands for someone's API call (a deploy, a scale, an edit) in the
   * mutation log as `by` (default `ci-bot`), so the log stays the ground truth of who changed what.
   */
  record(by: string | undefined, m: Omit<Mutation, "at" | "cluster" | "user" | "namespace">): Mutation;
};

export type InjectError = { code: "unknown_target" | "bad_params"; message: string };

export type Injected<S> = {
  state: S;
  /** Mutations the injection itself recorded: never counted as the cure. */
  own: Mutation[];
  /** An image tag the fault pushed that nobody built: it stays missing after the fault ends. */
  badImage?: string;
};

/** A fault with what its kind captured at injection. */
export type KindFault<S> = Fault & {
  state: S;
  /** `params.message`, if given: the line the symptoms write in place of the default one. */
  message: string | undefined;
  own: readonly Mutation[];
};

/** What a cure is judged from: the cluster's objects and the calls its clients made. */
export type CureView = { store: Pick<ClusterStore, "get" | "list">; mutations: readonly Mutation[] };

export type CureVerdict = { cured: false } | { cured: true; by: string | undefined };

/** A telemetry change one fault makes to one service (of the fault's cluster). */
export type FaultModifier = { service: string; modifier: ServiceModifier };

/**
 * One fault kind of CONTRACTS.md section 3: how it is injected, what it does to containers and
 * telemetry while uncured, what cures it, and what clearing it takes back. Each kind lives in
 * its own file under `kinds/`; the registry knows kinds only through this shape.
 */
export interface FaultKindDef<P, S> {
  readonly params: z.ZodType<P>;
  /** The target is a node (its namespace means nothing, or names where a pod lands). */
  readonly targetsNode?: boolean;
  inject(ctx: InjectContext, params: P): Result<Injected<S>, InjectError>;
  /** Effects on one container of the fault's cluster (the kubelet asks at every sync). */
  effects?(f: KindFault<S>, ctx: ContainerContext): ContainerFaultEffect[];
  /** Telemetry changes while the fault is uncured; asked at every scrape, so they may vary in time. */
  modifiers?(f: KindFault<S>, now: Date): FaultModifier[];
  /**
   * Whether the cluster's state now cures the fault, and whose call did it. Pure: decided from the
   * store and the mutation log only, as a real fault is cured by what is done to the cluster.
   */
  judgeCure(f: KindFault<S>, view: CureView): CureVerdict;
  /** Takes back what an uncured (or, for node health, any) fault changed when it is cleared. */
  undo?(f: KindFault<S>, cluster: FaultCluster): void;
}

/** Keeps a kind's params and state types tied together where it is defined. */
export const defineFault = <P, S>(def: FaultKindDef<P, S>): FaultKindDef<P, S> => def;

export type AnyFaultKindDef = FaultKindDef<unknown, unknown>;
export type MutationRecorder = Pick<MutationLog, "record">;
