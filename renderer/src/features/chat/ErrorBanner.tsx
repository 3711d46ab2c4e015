import { useApp } from '../../shared/context';
import { selectBannerError, selectDismissError } from './selectors';

/** The last error from the core, in its own words, until dismissed. */
export function ErrorBanner() {
  const error = useApp(selectBannerError);
  const dismiss = useApp(selectDismissError);
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner" data-code={error.code}>
      <span className="banner-message" data-testid="error-message">
        {error.message}
      </span>
      <button type="button" className="banner-dismiss" aria-label="Dismiss error" data-testid="error-dismiss" onClick={dismiss}>
        ×
      </button>
    </div>
  );
}
