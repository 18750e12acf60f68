import { usePermission } from '@backstage/plugin-permission-react';
import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { MlopsModelPermission } from '@synth/plugin-mlops-common';

/**
 * A button for an action the permission policy decides on: disabled, with a
 * tooltip saying why, while the decision loads and when it denies. The
 * backend enforces the permission again on the request.
 */
export const PermissionedButton = (
  props: ButtonProps & {
    permission: MlopsModelPermission;
    entityRef: string;
    /** Another reason to disable the button, shown as its tooltip. */
    disabledReason?: string;
  },
) => {
  const { permission, entityRef, disabledReason, children, ...rest } = props;
  const { loading, allowed } = usePermission({
    permission,
    resourceRef: entityRef,
  });
  let reason: string | undefined;
  if (loading) {
    reason = 'Checking permission…';
  } else if (!allowed) {
    reason = `You are not allowed to do this (permission ${permission.name})`;
  } else {
    reason = disabledReason;
  }
  const button = (
    <Button {...rest} disabled={Boolean(reason) || rest.disabled}>
      {children}
    </Button>
  );
  if (!reason) {
    return button;
  }
  // A disabled button fires no events; the span carries the tooltip.
  return (
    <Tooltip title={reason}>
      <span data-testid="permission-tooltip-anchor">{button}</span>
    </Tooltip>
  );
};
