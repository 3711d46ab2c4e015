import { describe, expect, it } from 'vitest';
import { createNotifier, type NotificationRequest } from '../../electron/main/notifier';
import { alert, alerts, exportFailing, health, healthy, ollamaDown } from './electron-fixtures';

function setup(opts: { refireQuietMs?: number; maxIndividual?: number } = {}) {
  const sent: NotificationRequest[] = [];
  let t = 1_000_000;
  const notifier = createNotifier({ notify: (n) => void sent.push(n), now: () => t, ...opts });
  return { notifier, sent, advance: (ms: number) => void (t += ms), titles: () => sent.map((n) => n.title) };
}

const a = alert('OllamaErrors', 'critical');
const b = alert('HighTTFT', 'warning');

describe('alert notifications', () => {
  it('notifies once when an alert starts firing, not on every poll', () => {
    const { notifier, sent } = setup();
    notifier.onAlerts(alerts(a));
    notifier.onAlerts(alerts(a));
    notifier.onAlerts(alerts(a, { ...b, state: 'pending' }));
    notifier.onAlerts(alerts(a));
    expect(sent).toEqual([
      { tag: `alert:${a.id}`, title: 'Critical alert: OllamaErrors', body: 'OllamaErrors summary', onClick: { type: 'open-alert', alertId: a.id } },
    ]);
  });

  it('does not notify pending alerts; notifies when pending turns firing', () => {
    const { notifier, titles } = setup();
    notifier.onAlerts(alerts({ ...b, state: 'pending' }));
    expect(titles()).toEqual([]);
    notifier.onAlerts(alerts(b));
    expect(titles()).toEqual(['Warning alert: HighTTFT']);
  });

  it('notifies again only after it resolved and fired again', () => {
    const { notifier, titles, advance } = setup();
    notifier.onAlerts(alerts(a));
    advance(5 * 60_000);
    notifier.onAlerts(alerts());
    advance(5 * 60_000);
    notifier.onAlerts(alerts(a));
    notifier.onAlerts(alerts(a));
    expect(titles()).toEqual(['Critical alert: OllamaErrors', 'Critical alert: OllamaErrors']);
  });

  it('a resolve/fire flap within the quiet window is not notified twice', () => {
    const { notifier, titles, advance } = setup({ refireQuietMs: 60_000 });
    notifier.onAlerts(alerts(a));
    notifier.onAlerts(alerts()); // a poll that missed it
    advance(15_000);
    notifier.onAlerts(alerts(a));
    expect(titles()).toHaveLength(1);
    // Resolved for longer than the window: a new firing is news.
    notifier.onAlerts(alerts());
    advance(61_000);
    notifier.onAlerts(alerts(a));
    expect(titles()).toHaveLength(2);
  });

  it('one notification per new alert; each alert separately', () => {
    const { notifier, sent } = setup();
    notifier.onAlerts(alerts(b));
    notifier.onAlerts(alerts(b, a));
    expect(sent.map((n) => n.tag)).toEqual([`alert:${b.id}`, `alert:${a.id}`]);
  });

  it('alerts firing at start are notified once (the user has not seen them)', () => {
    const { notifier, titles } = setup();
    notifier.onAlerts(alerts(a, b));
    expect(titles()).toEqual(['Critical alert: OllamaErrors', 'Warning alert: HighTTFT']);
  });

  it('many at once become one summary, most severe first', () => {
    const { notifier, sent } = setup({ maxIndividual: 3 });
    notifier.onAlerts(alerts(alert('A', 'warning'), alert('B', 'info'), alert('C', 'critical'), alert('D', null)));
    expect(sent).toEqual([{ tag: 'alerts', title: '4 alerts started firing', body: 'C, A, B, D (worst: critical)', onClick: { type: 'show-alerts' } }]);
  });

  it('falls back to the description, then a generic body; no severity, no prefix', () => {
    const { notifier, sent } = setup();
    notifier.onAlerts(alerts(alert('X', null, { summary: null, description: 'long story' }), alert('Y', 'low', { summary: null })));
    expect(sent.map((n) => [n.title, n.body])).toEqual([
      ['Low alert: Y', 'Started firing.'],
      ['Alert: X', 'long story'],
    ]);
  });
});

describe('Ollama notifications', () => {
  it('says nothing at start when Ollama is up', () => {
    const { notifier, sent } = setup();
    notifier.onHealth(healthy());
    notifier.onHealth(healthy());
    notifier.onHealth(exportFailing());
    expect(sent).toEqual([]);
  });

  it('says so at start when Ollama is already down, once', () => {
    const { notifier, titles } = setup();
    notifier.onHealth(ollamaDown());
    notifier.onHealth(ollamaDown());
    expect(titles()).toEqual(['Ollama is down']);
  });

  it('notifies each transition: down, back, down again', () => {
    const { notifier, sent } = setup();
    notifier.onHealth(healthy());
    notifier.onHealth(ollamaDown());
    notifier.onHealth(ollamaDown());
    notifier.onHealth(healthy());
    notifier.onHealth(healthy());
    notifier.onHealth(ollamaDown());
    expect(sent.map((n) => n.title)).toEqual(['Ollama is down', 'Ollama is back', 'Ollama is down']);
    expect(sent[0]).toMatchObject({ tag: 'ollama', body: 'Ollama at http://127.0.0.1:11434 is not reachable; chat is unavailable until it is back.', onClick: { type: 'toggle-window' } });
  });

  it('never shows credentials or paths of the Ollama URL', () => {
    const { notifier, sent } = setup();
    notifier.onHealth(health({ ollama: { reachable: false, url: 'https://bruno:s3cret@ollama.lan:443/prefix?key=abc' } }));
    expect(JSON.stringify(sent)).not.toMatch(/s3cret|bruno:|key=abc|prefix/);
    expect(sent[0]!.body).toContain('https://ollama.lan');
  });
});
