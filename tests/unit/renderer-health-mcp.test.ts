import { describe, expect, it } from 'vitest';
import { describeServices } from '../../renderer/src/shared/format';
import type { McpServerHealth } from '../../core/common';
import { health } from './electron-fixtures';

const server = (name: string, state: McpServerHealth['state'], lastError: string | null = null): McpServerHealth => ({ name, transport: 'stdio', state, tools: state === 'connected' ? 3 : 0, lastError, restarts: 0, retryAt: null });

describe('the health strip shows MCP servers', () => {
  it('not at all when none is configured', () => {
    expect(describeServices(health()).map((s) => s.key)).not.toContain('mcp');
  });

  it('as one pill: connected of enabled, down when one failed, each server in the title', () => {
    const pill = (mcp: McpServerHealth[]) => describeServices({ ...health(), mcp }).find((s) => s.key === 'mcp');
    expect(pill([server('files', 'connected'), server('off', 'disabled')])).toMatchObject({ label: 'MCP 1/1', tone: 'ok' });
    const failed = pill([server('files', 'connected'), server('nas', 'failed', 'command not found')]);
    expect(failed).toMatchObject({ label: 'MCP 1/2', tone: 'down' });
    expect(failed!.title).toBe('files (stdio): connected, 3 tools\nnas (stdio): failed, 0 tools - command not found');
    expect(pill([server('files', 'connecting')])).toMatchObject({ label: 'MCP 0/1', tone: 'warn' });
    expect(pill([server('off', 'disabled')])).toBeUndefined();
  });
});
