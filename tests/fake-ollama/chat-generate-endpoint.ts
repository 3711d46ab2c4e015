/**
 * POST /api/chat and /api/generate: checks the request like Ollama does, loads the model, picks
 * what the fake model says (tool calls, a structured reply, an answer from tool results or the
 * configured reply) and hands the plan to generation.ts to stream it.
 */
import type { ServerResponse } from 'node:http';
import { behaviourForModel, displayName } from './behaviour';
import { allocatedContext, capabilities } from './catalog';
import { elapsedNs, nowRfc3339, parseKeepAlive } from './clock';
import { type EndpointContext, isRecord, resolveModel } from './endpoint-context';
import type { GenerationPlan } from './generation';
import { buildEvents, defaultHttpMessage, runGeneration } from './generation';
import { decodeRequest, sendError, sendJson } from './http-io';
import { structuredReply, wantsStructured } from './structured';
import { countMessageTokens, countTokens, fakeTokenIds, listSequence, replySequence, splitIntoTokens, thinkingSequence } from './tokens';
import { answerFromTools, instructedCall, toolTurn } from './tool-turn';

export async function handleChatOrGenerate(
  ctx: EndpointContext,
  endpoint: 'chat' | 'generate',
  raw: string,
  res: ServerResponse,
  signal: AbortSignal,
  startNs: bigint,
): Promise<void> {
  const decoded = decodeRequest(raw, endpoint === 'chat' ? 'ChatRequest' : 'GenerateRequest', ['model', 'prompt', 'system']);
  if (!decoded.ok) return sendError(res, decoded.status, decoded.error);
  const body = decoded.value;
  const model = resolveModel(ctx, res, body.model);
  if (!model) return;
  const modelName = body.model as string;
  if (model.embedding) return sendError(res, 400, `"${modelName}" does not support ${endpoint}`);
  const messages = body.messages ?? [];
  if (endpoint === 'chat' && !Array.isArray(messages)) {
    return sendError(res, 400, `json: cannot unmarshal ${typeof messages} into Go struct field ChatRequest.messages of type []api.Message`);
  }
  const messageList = (Array.isArray(messages) ? messages : []).filter(isRecord);
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  const system = typeof body.system === 'string' ? body.system : '';

  // Ollama refuses tools for a model without the capability (400, before loading it).
  if (endpoint === 'chat' && Array.isArray(body.tools) && body.tools.length > 0 && !capabilities(model).includes('tools')) {
    return sendError(res, 400, `registry.ollama.ai/library/${displayName(model)} does not support tools`);
  }
  const mb = behaviourForModel(ctx.behaviour(), modelName);
  const failure = ctx.takeFailure(modelName, endpoint);
  if (failure?.kind === 'http') return sendError(res, failure.status, failure.message ?? defaultHttpMessage(failure.status));

  const options = isRecord(body.options) ? body.options : {};
  const keepAliveMs = parseKeepAlive(body.keep_alive) ?? ctx.behaviour().keepAliveMs;
  const contextLength = allocatedContext(ctx.behaviour(), model, options.num_ctx, ctx.behaviour().numCtx);

  // An empty request only loads (or with keep_alive 0 unloads) the model.
  const empty = endpoint === 'chat' ? messageList.length === 0 : prompt === '' && !Array.isArray(body.images);
  if (empty) {
    if (keepAliveMs === 0) {
      ctx.loaded.unload(model);
      return sendJson(res, 200, emptyAnswer(endpoint, modelName, 'unload'));
    }
    if (!(await ctx.loaded.acquire(model, contextLength, mb.loadMs, keepAliveMs, signal))) return;
    ctx.loaded.release(model, keepAliveMs);
    return sendJson(res, 200, emptyAnswer(endpoint, modelName, 'load'));
  }

  if (!(await ctx.loaded.acquire(model, contextLength, mb.loadMs, keepAliveMs, signal))) return;
  try {
    const loadNs = elapsedNs(startNs);
    const previousContext = Array.isArray(body.context) ? body.context.filter((n): n is number => typeof n === 'number') : [];
    const promptTokens =
      endpoint === 'chat'
        ? countMessageTokens(messageList)
        : previousContext.length + countTokens(system) + countTokens(prompt);

    const withTools = endpoint === 'chat' && Array.isArray(body.tools) && body.tools.length > 0;
    const numPredict = typeof options.num_predict === 'number' ? options.num_predict : -1;
    const turn = endpoint === 'chat' ? toolTurn(messageList) : { rounds: 0, results: [], lastResults: [] };
    // A round of tool calls streams only the calls; the round after answers from the results.
    // A gullible model follows an instruction in the last tool results, round limit or not.
    const obeyed = withTools && mb.obeysToolResults ? instructedCall(turn.lastResults) : null;
    const calls = obeyed ? [obeyed] : withTools && turn.rounds < mb.toolRounds ? mb.toolCalls : [];
    const callsTools = calls.length > 0;
    const reply = callsTools
      ? listSequence([])
      : wantsStructured(body.format)
        ? listSequence(splitIntoTokens(structuredReply(body.format, mb.structured)))
        : turn.results.length > 0
          ? listSequence(splitIntoTokens(answerFromTools(turn.results)))
          : replySequence(mb);
    const { events, cut } = buildEvents(
      body.think === false ? listSequence([]) : thinkingSequence(mb),
      reply,
      calls,
      numPredict,
    );
    const plan: GenerationPlan = {
      endpoint,
      model: modelName,
      stream: body.stream !== false,
      behaviour: mb,
      failure,
      events,
      doneReason: cut ? 'length' : 'stop',
      promptEvalCount: Math.min(promptTokens, contextLength),
      startNs,
      loadNs,
      contextLimit: contextLength,
      ...(endpoint === 'generate' && body.raw !== true
        ? { contextPrefix: [...previousContext, ...fakeTokenIds(`${system} ${prompt}`)] }
        : {}),
    };
    await runGeneration(plan, res, signal);
  } finally {
    ctx.loaded.release(model, keepAliveMs);
  }
}

function emptyAnswer(endpoint: 'chat' | 'generate', model: string, reason: 'load' | 'unload'): unknown {
  const created_at = nowRfc3339();
  if (endpoint === 'generate') return { model, created_at, response: '', done: true, done_reason: reason };
  return { model, created_at, message: { role: 'assistant', content: '' }, done_reason: reason, done: true };
}
