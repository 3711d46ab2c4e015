/**
 * Desktop notifications, de-duplicated: one per alert when it starts firing (not on every poll,
 * and not again until it has resolved and fires again), and one when Ollama goes down or comes
 * back (transitions only; at start only if it is already down). Plain module: `notify` is
 * injected (index.ts wraps Electron's Notification).
 */
import type { AlertInfo, AlertsState } from '../../core/common/alerts';
import { severityRank } from '../../core/common/alerts';
import type { HealthState } from '../../core/common/health';
import type { TrayAction } from './tray-model';

export interface NotificationRequest {
  title: string;
  body: string;
  /** What a click on the notification does. */
  onClick: TrayAction;
  /** Stable key of what is notified (`alert:<id>`, `ollama`), for platforms that replace by tag. */
  tag: string;
}

export interface NotifierDeps {
  notify: (notification: NotificationRequest) => void;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /**
   * An alert that resolves and fires again within this window (flapping, or a poll that briefly
   * missed it) is not notified twice. Default one minute.
   */
  refireQuietMs?: number;
  /** More alerts than this starting at once become one summary notification. Default 3. */
  maxIndividual?: number;
}

export interface Notifier {
  onHealth(health: HealthState): void;
  onAlerts(alerts: AlertsState): void;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? Date.now;
  const quietMs = deps.refireQuietMs ?? 60_000;
  const maxIndividual = deps.maxIndividual ?? 3;
  /** Alerts notified and still firing. */
  const notified = new Set<string>();
  /** When a notified alert stopped firing. */
  const resolvedAt = new Map<string, number>();
  let ollamaReachable: boolean | null = null;

  return {
    onHealth(health) {
      const reachable = health.ollama.reachable;
      const was = ollamaReachable;
      ollamaReachable = reachable;
      if (was === reachable || (was === null && reachable)) return;
      const where = safeOrigin(health.ollama.url);
      deps.notify(
        reachable
          ? { tag: 'ollama', title: 'Ollama is back', body: `Ollama${where ? ` at ${where}` : ''} answers again; chat is available.`, onClick: { type: 'toggle-window' } }
          : {
              tag: 'ollama',
              title: 'Ollama is down',
              body: `Ollama${where ? ` at ${where}` : ''} is not reachable; chat is unavailable until it is back.`,
              onClick: { type: 'toggle-window' },
            },
      );
    },

    onAlerts(state) {
      const t = now();
      for (const [id, at] of resolvedAt) if (t - at >= quietMs) resolvedAt.delete(id);

      const firing = new Map(state.alerts.filter((a) => a.state === 'firing').map((a) => [a.id, a]));
      const fresh: AlertInfo[] = [];
      for (const [id, alert] of firing) {
        if (notified.has(id)) continue;
        notified.add(id);
        // Fired again soon after it resolved: already told; now tracked as firing again.
        if (resolvedAt.delete(id)) continue;
        fresh.push(alert);
      }
      for (const id of [...notified]) {
        if (firing.has(id)) continue;
        notified.delete(id);
        resolvedAt.set(id, t);
      }

      if (fresh.length === 0) return;
      fresh.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.name.localeCompare(b.name));
      if (fresh.length > maxIndividual) {
        const worst = fresh[0]!;
        deps.notify({
          tag: 'alerts',
          title: `${fresh.length} alerts started firing`,
          body: clip(fresh.map((a) => a.name).join(', '), 200) + (worst.severity ? ` (worst: ${worst.severity})` : ''),
          onClick: { type: 'show-alerts' },
        });
        return;
      }
      for (const alert of fresh) {
        deps.notify({
          tag: `alert:${alert.id}`,
          title: `${alert.severity ? `${capitalize(alert.severity)} alert` : 'Alert'}: ${alert.name}`,
          body: clip(alert.summary ?? alert.description ?? 'Started firing.', 200),
          onClick: { type: 'open-alert', alertId: alert.id },
        });
      }
    },
  };
}

/** Ollama's address without credentials or path (a URL with user:pass must not reach a notification). */
function safeOrigin(url: string): string | null {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? null : u.origin;
  } catch {
    return null;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
