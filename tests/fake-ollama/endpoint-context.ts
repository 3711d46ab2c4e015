/**
 * What the endpoint handlers (chat-generate-endpoint.ts, embed-endpoint.ts) need from the
 * running fake (server.ts): its current behaviour, the loaded models and the failure to apply.
 * Passed in rather than shared at module level, so two fakes in one process stay apart.
 */
import type { ServerResponse } from 'node:http';
import type { Behaviour, Failure, FailureKind, FakeEndpoint, FakeModel } from './behaviour';
import { findModel } from './catalog';
import type { Embedder } from './embed';
import { sendError } from './http-io';
import type { LoadedModels } from './loaded-models';

export interface EndpointContext {
  /** The behaviour now (configure() and a `once` failure replace it, so read it when needed). */
  behaviour(): Behaviour;
  loaded: LoadedModels;
  embedder: Embedder;
  /** The failure that applies to this request, consuming it when `once`. */
  takeFailure(modelName: string, endpoint: FakeEndpoint, kinds?: readonly FailureKind[]): Failure | null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the requested model or answers 400/404 like Ollama. */
export function resolveModel(ctx: EndpointContext, res: ServerResponse, name: unknown, fail: (res: ServerResponse, status: number, message: string) => void = sendError): FakeModel | undefined {
  if (typeof name !== 'string' || name === '') {
    fail(res, 400, 'model is required');
    return undefined;
  }
  const model = findModel(ctx.behaviour(), name);
  if (!model) fail(res, 404, `model "${name}" not found, try pulling it first`);
  return model;
}
