import { describe, expect, it } from 'vitest';
import { chunkText, fileKindOf, htmlToText } from '../../core/rag';

const opts = { chunkChars: 300, overlapChars: 60 };

describe('chunking', () => {
  it('keeps the Markdown heading trail on each chunk', () => {
    const md = ['# Homelab', '', '## NAS', '', 'The NAS is at 10.0.0.5.', '', '### Shares', '', 'NFS exports /export.', '', '## Backups', '', 'Restic runs nightly.'].join('\n');
    const chunks = chunkText('markdown', md, opts);
    expect(chunks.map((c) => c.heading)).toEqual(['Homelab > NAS', 'Homelab > NAS > Shares', 'Homelab > Backups']);
    // A heading with only a sub-heading under it is not a chunk of its own.
    expect(chunks[0]!.text).toContain('# Homelab');
    expect(chunks.map((c) => c.position)).toEqual([0, 1, 2]);
  });

  it('does not take a # inside a code fence for a heading and keeps a fitting fence whole', () => {
    const code = ['```bash', '# not a heading', 'mount -t nfs 10.0.0.5:/export /mnt/nas', '', 'echo done', '```'].join('\n');
    const md = `# Setup\n\n${'Some words here. '.repeat(12)}\n\n${code}\n\nAfter.`;
    const chunks = chunkText('markdown', md, opts);
    expect(chunks.every((c) => c.heading === 'Setup')).toBe(true);
    const withCode = chunks.filter((c) => c.text.includes('mount -t nfs'));
    expect(withCode).toHaveLength(1);
    expect(withCode[0]!.text).toContain(code);
  });

  it('splits a fence longer than a chunk by lines and fences every piece again', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `echo line-${i}`);
    const md = `# Script\n\n\`\`\`sh\n${lines.join('\n')}\n\`\`\``;
    const chunks = chunkText('markdown', md, opts).filter((c) => c.text.includes('echo'));
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(opts.chunkChars);
      expect(c.text.trim().startsWith('```sh')).toBe(true);
      expect(c.text.trim().endsWith('```')).toBe(true);
    }
    const all = chunks.map((c) => c.text).join('\n');
    for (const l of lines) expect(all).toContain(l);
  });

  it('overlaps consecutive chunks of one section', () => {
    const paragraphs = Array.from({ length: 8 }, (_, i) => `Paragraph ${i} talks about topic number ${i} in some detail, enough to fill space.`);
    const chunks = chunkText('text', paragraphs.join('\n\n'), opts);
    expect(chunks.length).toBeGreaterThan(2);
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1]!.text;
      const head = chunks[i]!.text.slice(0, 20);
      expect(prev).toContain(head);
    }
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(opts.chunkChars);
  });

  it('splits YAML on --- into documents with Kind/name headings', () => {
    const yaml = ['services:', '  grafana:', '    image: grafana/grafana', '---', 'kind: Deployment', 'metadata:', '  name: prometheus', 'spec:', '  replicas: 1', '---', 'kind: Service', 'metadata:', '  name: web'].join('\n');
    const chunks = chunkText('yaml', yaml, opts);
    expect(chunks.map((c) => c.heading)).toEqual(['document 1', 'Deployment/prometheus', 'Service/web']);
    expect(chunks[1]!.text).toBe('kind: Deployment\nmetadata:\n  name: prometheus\nspec:\n  replicas: 1');
  });

  it('uses reStructuredText titles and INI sections as headings', () => {
    const rst = ['Install', '=======', '', 'Run the installer.', '', 'Docker', '------', '', 'Use compose.'].join('\n');
    expect(chunkText('rst', rst, opts).map((c) => c.heading)).toEqual(['Install', 'Install > Docker']);
    const ini = ['[Unit]', 'Description=NAS mount', '', '[Mount]', 'What=10.0.0.5:/export'].join('\n');
    expect(chunkText('ini', ini, opts).map((c) => c.heading)).toEqual(['Unit', 'Mount']);
  });

  it('chunks code by blank-line blocks', () => {
    const go = ['package main', '', 'func a() {', '  return', '}', '', 'func b() {', '  return', '}'].join('\n');
    const chunks = chunkText('code', go, { chunkChars: 200, overlapChars: 0 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe(go);
  });

  it('turns HTML into text with headings, code and entities', () => {
    const html = '<html><head><title>x</title><style>p{}</style></head><body><h1>Guide</h1><p>Use &lt;b&gt; &amp; more</p><script>alert(1)</script><pre><code>if (a &lt; b) {}\n</code></pre><ul><li>one</li><li>two</li></ul></body></html>';
    const text = htmlToText(html);
    expect(text).toContain('# Guide');
    expect(text).toContain('Use <b> & more');
    expect(text).toContain('```\nif (a < b) {}\n```');
    expect(text).toContain('- one');
    expect(text).not.toContain('alert');
    expect(chunkText('html', html, opts)[0]!.heading).toBe('Guide');
  });

  it('knows the file kinds a homelab keeps', () => {
    expect(fileKindOf('/x/README.md')).toBe('markdown');
    expect(fileKindOf('/x/docker-compose.yml')).toBe('yaml');
    expect(fileKindOf('/x/Dockerfile')).toBe('dockerfile');
    expect(fileKindOf('/x/app.Dockerfile')).toBe('dockerfile');
    expect(fileKindOf('/x/pyproject.toml')).toBe('toml');
    expect(fileKindOf('/x/nginx.conf')).toBe('ini');
    expect(fileKindOf('/x/backup.sh')).toBe('shell');
    expect(fileKindOf('/x/main.go')).toBe('code');
    expect(fileKindOf('/x/index.rst')).toBe('rst');
    expect(fileKindOf('/x/photo.png')).toBeNull();
  });
});
