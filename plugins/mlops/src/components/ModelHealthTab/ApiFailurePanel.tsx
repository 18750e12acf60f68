import { WarningPanel } from '@backstage/core-components';
import { describeApiFailure } from '../../lib/apiErrors';

/**
 * A request to the mlops backend that failed, said plainly: unreachable,
 * not allowed, nothing found, or an engine error with the backend's reason.
 */
export const ApiFailurePanel = (props: { error: Error; what: string }) => {
  const { error, what } = props;
  const failure = describeApiFailure(error);
  return (
    <WarningPanel
      severity={failure.kind === 'not-found' ? 'info' : 'error'}
      title={`${what}: ${failure.title}`}
      message={failure.message}
      defaultExpanded
    />
  );
};
