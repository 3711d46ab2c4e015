/**
 * Feeds the core's events to the tray and the notifier, and seeds both with the current health
 * and alerts at start (events only arrive on change). A seed answer that arrives after a newer
 * event is dropped, so a slow first probe cannot overwrite fresher state.
 */
import type { ContractHandlers } from '../../core/common/contract';
import type { EventHub } from '../../core/common/emitter';
import type { AlertsState } from '../../core/common/alerts';
import type { HealthState } from '../../core/common/health';
import type { Log } from './log';
import type { Notifier } from './notifier';
import type { TrayController } from './tray-controller';

export interface ShellFeedDeps {
  events: EventHub;
  handlers: Pick<ContractHandlers, 'health.get' | 'alerts.list'>;
  tray: Pick<TrayController, 'setHealth' | 'setAlerts' | 'setSample' | 'setTurnDone'>;
  notifier: Notifier;
  log: Log;
}

export function feedShellFromCore(deps: ShellFeedDeps): () => void {
  const { tray, notifier, log } = deps;
  let healthSeen = false;
  let alertsSeen = false;
  let active = true;

  const onHealth = (health: HealthState) => {
    healthSeen = true;
    tray.setHealth(health);
    notifier.onHealth(health);
  };
  const onAlerts = (alerts: AlertsState) => {
    alertsSeen = true;
    tray.setAlerts(alerts);
    notifier.onAlerts(alerts);
  };

  const offs = [
    deps.events.on('health', onHealth),
    deps.events.on('alerts', onAlerts),
    deps.events.on('turn.sample', (sample) => tray.setSample(sample)),
    deps.events.on('chat.event', (batch) => {
      for (const event of batch.events) if (event.type === 'done') tray.setTurnDone(event.stats);
    }),
  ];

  const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));
  deps.handlers['health.get'](undefined).then(
    (health) => {
      if (active && !healthSeen) onHealth(health);
    },
    (err: unknown) => log('tray: first health check failed', { error: reason(err) }),
  );
  deps.handlers['alerts.list'](undefined).then(
    (alerts) => {
      if (active && !alertsSeen) onAlerts(alerts);
    },
    (err: unknown) => log('tray: first alerts read failed', { error: reason(err) }),
  );

  return () => {
    active = false;
    for (const off of offs) off();
  };
}
