/**
 * Notifications and disk (two tiers: warn, then refuse writes that could not finish), the
 * desktop app's window behaviour (close to background, start at login) and the theme.
 */
import { bridge } from '../api/client';
import { Card } from '../components/Card';
import { CheckField, NumberField, SelectField } from './fields';
import { useSettingsForm } from './form';
import { SaveBar } from './SaveBar';

export function GeneralSettings() {
  const f = useSettingsForm();
  const desktop = bridge.mode === 'electron';
  return (
    <Card title="Notifications, disk and appearance" testId="settings-general">
      <div className="form">
        <div className="field-row">
          <NumberField f={f} path="disk.warn_free_mib" label="Warn when free disk space is below (MiB)" />
          <NumberField
            f={f}
            path="disk.refuse_free_mib"
            label="Refuse backups, restores and moves below (MiB)"
            hint="must be below the warning level"
          />
        </div>
        <div className="field-row">
          <NumberField
            f={f}
            path="notifications.deadline_lead_blocks"
            label="Notify before a deadline (blocks)"
          />
          <NumberField
            f={f}
            path="notifications.sync_stall_secs"
            label="Sync stalled after (s without a new block)"
          />
        </div>
        <CheckField f={f} path="notifications.os" label="Also show system notifications (desktop app)" />
        {/* Each select as wide as its longest choice ("Stop the node and quit" was cut at 1024 px); Theme wraps under when both do not fit. */}
        <div className="field-row field-row--fit">
          <SelectField
            f={f}
            path="close_action"
            label={`Closing the window${desktop ? '' : ' (desktop app)'}`}
            options={[
              ['ask', 'Ask'],
              ['background', 'Keep the node running in the background'],
              ['quit', 'Stop the node and quit'],
            ]}
          />
          <SelectField
            f={f}
            path="theme"
            label="Theme"
            options={[
              ['system', 'System'],
              ['light', 'Light'],
              ['dark', 'Dark'],
            ]}
          />
        </div>
        <CheckField
          f={f}
          path="start_at_login"
          label={`Start at login, in the background${desktop ? '' : ' (desktop app)'}`}
        />
        <SaveBar f={f} testId="general-settings" />
      </div>
    </Card>
  );
}
