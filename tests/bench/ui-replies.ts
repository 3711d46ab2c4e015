/**
 * What the fake streams in the UI benchmarks (`--reply`): the fake's own plain prose (the default),
 * or Markdown an operator really gets back. Each is one string the fake splits into word tokens.
 */

export const replyKinds = ['prose', 'inline', 'operator'] as const;
export type ReplyKind = (typeof replyKinds)[number];

/** Long paragraphs full of inline Markdown: emphasis, code, links, citations, line breaks. */
function inlineRichReply(): string {
  const sentence = (k: number) =>
    [`The **node ${k}** answered its *health check* in \`${k * 3} ms\` [1], see [the runbook](https://example.org/runbook/${k}).`, `Disk _usage_ is at ${k % 90}%, ~~not~~ a concern yet;`, `rotate keys at https://vault.example.org/keys/${k} soon.`][k % 3];
  return Array.from({ length: 3 }, (_, p) => Array.from({ length: 120 }, (_, k) => sentence(p * 120 + k) + (k % 17 === 16 ? '\n' : ' ')).join('').trim()).join('\n\n');
}

/**
 * The shape of a long homelab answer: headings, a long bullet list, a numbered list, a table, a
 * long YAML code block and a shell block, with short paragraphs between. The long blocks are the
 * point: each streams for hundreds of tokens, as a compose file or a log excerpt does.
 */
function operatorReply(): string {
  const services = Array.from({ length: 40 }, (_, i) => `  svc${i}:\n    image: ghcr.io/example/svc${i}:1.${i}.0\n    restart: unless-stopped\n    ports:\n      - "${8000 + i}:80"\n    environment:\n      - LOG_LEVEL=info\n      - OTEL_EXPORTER_OTLP_ENDPOINT=http://alloy:4318`).join('\n');
  const bullets = Array.from({ length: 60 }, (_, i) => `- **svc${i}** listens on port \`${8000 + i}\`; its health check took ${(i * 7) % 90} ms [1], and its logs go to Loki via *Alloy*.`).join('\n');
  const steps = Array.from({ length: 25 }, (_, i) => `${i + 1}. Restart \`svc${i}\` with \`docker compose restart svc${i}\`, then check [its dashboard](https://grafana.example.org/d/svc${i}).`).join('\n');
  const rows = Array.from({ length: 30 }, (_, i) => `| svc${i} | ${8000 + i} | ${(i * 13) % 100}% | ${(i * 7) % 90} ms |`).join('\n');
  const shell = Array.from({ length: 30 }, (_, i) => `curl -s http://127.0.0.1:${8000 + i}/healthz | jq .status`).join('\n');
  return [
    '## What is running',
    'Here is the stack as your compose file describes it, with what each service does and how it is checked.',
    bullets,
    '## The compose file',
    'The full file, with every service pinned to a version:',
    '```yaml\nservices:\n' + services + '\n```',
    '## Health',
    '| service | port | CPU | p95 latency |\n|---|---:|---:|---:|\n' + rows,
    '## Checking every service',
    '```bash\n' + shell + '\n```',
    '## If one is down',
    steps,
    'That is all: **every** service is up, and the slowest health check took 89 ms.',
  ].join('\n\n');
}

/** The text for a kind, or undefined for the fake's own prose (sized by --tokens). */
export function replyText(kind: ReplyKind): string | undefined {
  if (kind === 'inline') return inlineRichReply();
  if (kind === 'operator') return operatorReply();
  return undefined;
}

export function parseReplyKind(text: string | undefined): ReplyKind {
  const kind = text ?? 'prose';
  if (!(replyKinds as readonly string[]).includes(kind)) throw new Error(`--reply must be one of ${replyKinds.join(', ')}, got ${kind}`);
  return kind as ReplyKind;
}
