import { useApp } from '../shared/context';
import { selectConnectionDetail, selectConnectionRetryMs, selectConnectionStatus } from '../shared/state';
import { UNAUTHORIZED_HINT } from '../bridge/errors';

/** Says when the link to the core is not usable: no token, or the event stream dropped. */
export function ConnectionNotice() {
  const status = useApp(selectConnectionStatus);
  const detail = useApp(selectConnectionDetail);
  const retryMs = useApp(selectConnectionRetryMs);
  if (status === 'unauthorized') {
    return (
      <div className="banner banner-error" role="alert" data-testid="unauthorized">
        <span className="banner-message">
          <strong>Not authorized.</strong> {UNAUTHORIZED_HINT}
        </span>
      </div>
    );
  }
  if (status === 'lost') {
    const retry = retryMs === null ? '' : ` Retrying in ${Math.ceil(retryMs / 1000)} s.`;
    return (
      <div className="banner banner-warning" role="status" data-testid="connection-lost">
        <span className="banner-message">
          Connection lost{detail ? ` (${detail})` : ''}.{retry}
        </span>
      </div>
    );
  }
  return null;
}
