/**
 * Tools in the UI (issue 14), against the built app and the fake Ollama in tool mode: the model
 * calls `fixture.write_note` of a tiny stdio MCP server (tests/support/mcp, not read-only, so it
 * asks), the answer shows the call with its arguments and Run / Deny; Run runs it (the server
 * logs the call to a file), Deny does not and the model reads the refusal. Settings > Tools lists
 * the tools and a policy change persists and applies to the next turn; the trace shows the tool
 * span beside the model rounds and the stats line counts rounds and tool time.
 *
 * This spec runs its own app (the MCP server is a command, which only the settings file may add),
 * with its own data dir: no other spec's state reaches it, and each test sets the policy it needs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { SettingsUpdateResult, ToolInfo, ToolPolicy } from '../../core/common';
import { ChatPage, expect, invokeApi, saveScreenshot, test } from './fixtures';
import { repoRoot, startApp, type RunningApp } from './harness';
import { layoutProblems } from './layout';

const TOOL = 'fixture.write_note';
const fixtureServer = join(repoRoot, 'tests', 'support', 'mcp', 'stdio-fixture.mjs');

let app: RunningApp;
let dataDir: string;
let callsFile: string;

test.beforeAll(async ({ fake }) => {
  dataDir = await mkdtemp(join(tmpdir(), 'bruno-e2e-tools-'));
  callsFile = join(dataDir, 'fixture-calls.jsonl');
  await writeFile(callsFile, '');
  await writeFile(
    join(dataDir, 'settings.json'),
    JSON.stringify({ mcpServers: { fixture: { command: process.execPath, args: [fixtureServer], env: { FIXTURE_CALLS: callsFile } } } }, null, 2),
  );
  app = await startApp({ ollamaUrl: fake.url, dataDir });
  // The server starts with the app; its tools join once it has listed them.
  await expect.poll(async () => (await invokeApi<ToolInfo[]>(app, 'tools.list')).map((t) => t.name), { timeout: 20_000 }).toContain(TOOL);
});

test.afterAll(async () => {
  await app?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function setPolicy(tool: string, policy: ToolPolicy): Promise<void> {
  const result = await invokeApi<SettingsUpdateResult>(app, 'settings.update', { patch: { tools: { policy: { [tool]: policy } } } });
  expect(result.ok, JSON.stringify(result.fieldErrors)).toBe(true);
}

/** The notes write_note really saved (one JSON line per call the server ran). */
async function savedNotes(): Promise<string[]> {
  const text = await readFile(callsFile, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as [string, string])
    .filter(([tool]) => tool === 'write_note')
    .map(([, note]) => note);
}

async function openChat(page: Page): Promise<ChatPage> {
  const chat = new ChatPage(page);
  await chat.open(app.url);
  await page.getByTestId('new-chat').click();
  return chat;
}

const chatRequests = (fake: { requests: ReadonlyArray<{ path: string; body: unknown }> }) =>
  fake.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as { tools?: Array<{ function: { name: string } }>; messages: Array<{ role: string; content: string; tool_name?: string }> });

test.describe('tools in the UI', () => {
  test('Run: an ask-tool waits with its arguments, runs on Run, and the answer goes on with its result; trace and stats show it', async ({ page, fake }, testInfo) => {
    fake.reset();
    await setPolicy(TOOL, 'ask');
    const note = `run-${randomUUID().slice(0, 8)}`;
    fake.configure({ toolCalls: [{ name: TOOL, arguments: { note } }] });
    const chat = await openChat(page);
    await chat.ask('Write a note for me');

    const call = chat.lastAnswer().getByTestId('tool-call');
    await expect(call).toHaveAttribute('data-status', 'awaiting_approval');
    await expect(call).toContainText(TOOL);
    await expect(call.locator('.tool-call-args')).toHaveText(JSON.stringify({ note }));
    await expect(call.getByTestId('tool-call-status')).toHaveText('waiting for you');
    // The answer says what it waits for (not "the model may be loading").
    await expect(chat.lastAnswer().getByTestId('tool-notice')).toHaveText(`Waiting for you: Run or Deny ${TOOL}`);
    await expect(chat.lastAnswer().getByText('Waiting for the model…')).toHaveCount(0);
    await saveScreenshot(page, 'tool-approval', testInfo);
    // Nothing ran while it waits.
    expect(await savedNotes()).not.toContain(note);

    await call.getByTestId('tool-run').click();
    await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(call).toHaveAttribute('data-status', 'ok');
    await expect(call.getByTestId('tool-run')).toHaveCount(0);
    await expect(call.getByTestId('tool-call-status')).toHaveText(/^done · \d+ ms$/);
    expect(await savedNotes()).toContain(note);
    // The model read the result and answered from it.
    await expect(chat.lastAnswerText()).toContainText(`From ${TOOL}: saved ${note}`);
    const second = chatRequests(fake)[1]!;
    expect(second.messages.find((m) => m.role === 'tool')).toMatchObject({ tool_name: TOOL, content: `saved ${note}` });

    // The stats line: two model requests, and the tool's run time apart from generation.
    const stats = chat.lastAnswer().getByTestId('stats-line');
    await expect(stats.locator('[data-stat="rounds"]')).toHaveText('2 model rounds');
    await expect(stats.locator('[data-stat="tools"]')).toHaveText(/^tools \d+(\.\d+)? ms$/);
    const toolMs = Number(await stats.locator('[data-stat="tools"]').getAttribute('data-value'));
    expect(toolMs).toBeGreaterThan(0);
    expect(toolMs).toBeLessThan(15_000);
    await expect(stats.locator('[data-stat="tps"]')).toBeVisible();

    // The trace: the tool span under the turn, between the two model rounds, tagged as a tool.
    await chat.lastAnswer().getByTestId('trace-link').click();
    const toolSpan = page.locator(`[data-testid="span-row"][data-name="execute_tool ${TOOL}"]`);
    await expect(toolSpan).toHaveAttribute('data-role', 'tool');
    await expect(toolSpan.locator('.span-tag')).toHaveText('tool');
    await expect(toolSpan.getByTestId('span-duration')).toHaveText(/\d/);
    const rows = page.getByTestId('span-row');
    const names = await rows.evaluateAll((els) => els.map((el) => `${el.getAttribute('data-role')}:${el.getAttribute('data-name')}`));
    const modelRows = names.flatMap((n, i) => (n.startsWith('model:chat ') ? [i] : []));
    expect(modelRows, names.join('\n')).toHaveLength(2);
    const toolRow = names.indexOf(`tool:execute_tool ${TOOL}`);
    expect(modelRows[0]!, names.join('\n')).toBeLessThan(toolRow);
    expect(toolRow, names.join('\n')).toBeLessThan(modelRows[1]!);
    // A child of the turn: indented one level like the model rounds.
    const indent = (i: number) => rows.nth(i).locator('.span-name').evaluate((el) => getComputedStyle(el).paddingLeft);
    expect(await indent(toolRow)).toBe(await indent(modelRows[0]!));
    expect(await indent(toolRow)).not.toBe('0px');
    await expect(toolSpan.locator('.span-keys')).toContainText('tool.source=fixture');
    // The span covers the wait for Run and the run; its `approved` event marks where one ends.
    await toolSpan.locator('summary').click();
    await expect(toolSpan.locator('.span-attrs')).toContainText('event: approved');
    await toolSpan.locator('summary').click();
    await page.getByTestId('trace-view').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await saveScreenshot(page, 'tool-trace', testInfo);
  });

  test('Deny: the tool does not run, the model gets the refusal and answers', async ({ page, fake }) => {
    fake.reset();
    await setPolicy(TOOL, 'ask');
    const note = `deny-${randomUUID().slice(0, 8)}`;
    fake.configure({ toolCalls: [{ name: TOOL, arguments: { note } }] });
    const chat = await openChat(page);
    await chat.ask('Write another note');
    const call = chat.lastAnswer().getByTestId('tool-call');
    await expect(call).toHaveAttribute('data-status', 'awaiting_approval');
    await call.getByTestId('tool-deny').click();

    await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(call).toHaveAttribute('data-status', 'denied');
    await expect(call.getByTestId('tool-call-status')).toHaveText('denied');
    await expect(chat.lastAnswerText()).toContainText(`From ${TOOL}: The user denied this tool call.`);
    const second = chatRequests(fake)[1]!;
    expect(second.messages.find((m) => m.role === 'tool')).toMatchObject({ tool_name: TOOL, content: 'The user denied this tool call.' });
    // Give a late run every chance to show up: the server never saw the call.
    await page.waitForTimeout(300);
    expect(await savedNotes()).not.toContain(note);
    // Two model requests, no tool time.
    const stats = chat.lastAnswer().getByTestId('stats-line');
    await expect(stats.locator('[data-stat="rounds"]')).toHaveText('2 model rounds');
    await expect(stats.locator('[data-stat="tools"]')).toHaveText('tools 0 ms');
  });

  test('Settings > Tools lists the tools; a policy change persists across a reload and applies to the next turn', async ({ page, fake }, testInfo) => {
    fake.reset();
    await setPolicy(TOOL, 'ask');
    await page.setViewportSize({ width: 1024, height: 900 });
    const chat = await openChat(page);
    await page.getByTestId('tab-settings').click();
    const section = page.getByTestId('tools-section');
    await expect(section.getByRole('heading', { name: 'Tools' })).toBeVisible();

    // Built-in and MCP tools, with description, kind, source and policy.
    const row = (name: string) => section.locator(`[data-testid="tool-row"][data-name="${name}"]`);
    await expect(section.locator('[data-testid="tools-group"][data-source="builtin"] [data-testid="tool-row"]')).not.toHaveCount(0);
    await expect(row('kb_search')).toHaveAttribute('data-policy', 'allow');
    await expect(row('kb_search').getByTestId('tool-kind')).toHaveText('read-only');
    // Not configured: listed with what to set, and not on.
    await expect(row('prometheus_query')).toHaveAttribute('data-state', 'unavailable');
    await expect(row('prometheus_query').getByTestId('tool-unavailable')).toContainText('PROMETHEUS_URL');
    const fixtureGroup = section.locator('[data-testid="tools-group"][data-source="fixture"]');
    await expect(fixtureGroup.getByTestId('mcp-server-state')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
    await expect(fixtureGroup.getByTestId('mcp-server-state')).toContainText(/stdio · connected · \d+ tools/);
    await expect(row(TOOL)).toHaveAttribute('data-state', 'asks');
    await expect(row(TOOL).getByTestId('tool-kind')).toHaveText('may change things');
    await expect(row(TOOL)).toContainText('Writes a note');
    await expect(row('fixture.echo').getByTestId('tool-kind')).toHaveText('read-only');
    await expect(row(TOOL).getByTestId('tool-policy').locator('option[value="ask"]')).toHaveText('ask (default)');
    await expect(section.getByTestId('tools-summary')).toContainText(TOOL);

    // The section fits at 1024 px: nothing overflows or overlaps.
    await section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    expect(await layoutProblems(page)).toEqual([]);
    await saveScreenshot(page, 'settings-tools', testInfo);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await layoutProblems(page), 'dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // allow: saved at once, still there after a reload, and the next turn runs it without asking.
    await row(TOOL).getByTestId('tool-policy').selectOption('allow');
    await expect(row(TOOL)).toHaveAttribute('data-policy', 'allow');
    await expect(row(TOOL)).toHaveAttribute('data-state', 'on');
    await page.reload();
    await expect(chat.composer).toBeEnabled();
    await page.getByTestId('tab-settings').click();
    await expect(row(TOOL)).toHaveAttribute('data-policy', 'allow');
    await expect(row(TOOL).getByTestId('tool-policy')).toHaveValue('allow');
    expect((await invokeApi<ToolInfo[]>(app, 'tools.list')).find((t) => t.name === TOOL)?.policy).toBe('allow');

    const note = `allow-${randomUUID().slice(0, 8)}`;
    fake.configure({ toolCalls: [{ name: TOOL, arguments: { note } }] });
    await page.getByTestId('tab-chat').click();
    await page.getByTestId('new-chat').click();
    await chat.ask('Save a note without asking');
    await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    const call = chat.lastAnswer().getByTestId('tool-call');
    await expect(call).toHaveAttribute('data-status', 'ok');
    expect(await savedNotes()).toContain(note);

    // off: the next turn does not offer it; the model's call of it is refused, nothing runs.
    await page.getByTestId('tab-settings').click();
    await row(TOOL).getByTestId('tool-policy').selectOption('off');
    await expect(row(TOOL)).toHaveAttribute('data-state', 'off');
    await expect(section.getByTestId('tools-summary')).not.toContainText(TOOL);
    fake.clearRequests();
    const offNote = `off-${randomUUID().slice(0, 8)}`;
    fake.configure({ toolCalls: [{ name: TOOL, arguments: { note: offNote } }] });
    await page.getByTestId('tab-chat').click();
    await page.getByTestId('new-chat').click();
    await chat.ask('Try to save a note');
    await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    const offered = chatRequests(fake)[0]!.tools!.map((t) => t.function.name);
    expect(offered).toContain('kb_search');
    expect(offered).not.toContain(TOOL);
    await expect(chat.lastAnswer().getByTestId('tool-call')).toHaveAttribute('data-status', 'error');
    expect(await savedNotes()).not.toContain(offNote);
  });
});
