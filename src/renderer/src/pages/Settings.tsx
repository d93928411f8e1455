/**
 * Settings: the node's options (ports with a live "port free?" check, telemetry, log level,
 * governor, RPC auth token), the data directory and its guided move, notifications and the two
 * disk tiers, the desktop window's behaviour and the theme, scheduled backups of this network,
 * the diagnostics bundle, running the first-run setup again (#19) and the Grafana address of the
 * monitoring links (#18). Persisted atomically by the console; an invalid value is refused
 * in place (shown next to its field, nothing saved).
 */
import { BackupSchedule } from '../settings/BackupSchedule';
import { DataDirMove } from '../settings/DataDirMove';
import { Diagnostics } from '../settings/Diagnostics';
import { GeneralSettings } from '../settings/GeneralSettings';
import { NodeOptions } from '../settings/NodeOptions';
import { GrafanaSettings } from '../monitoring/GrafanaSettings';
import { RerunFirstRunCard } from '../first-run/RerunCard';
import type { Glyph } from '../components/Icon';
import '../desktop/desktop.css';

/** The page's icon in the navigation (pages/registry.ts). */
export const settingsIcon: Glyph = { d: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7.4-3a7.4 7.4 0 0 0-.1-1.3l2-1.6-2-3.4-2.4 1a7.5 7.5 0 0 0-2.2-1.3L14.3 3h-4l-.4 2.4a7.5 7.5 0 0 0-2.2 1.3l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.6l-2 1.6 2 3.4 2.4-1c.7.5 1.4 1 2.2 1.3l.4 2.4h4l.4-2.4c.8-.3 1.5-.8 2.2-1.3l2.4 1 2-3.4-2-1.6c.1-.4.1-.9.1-1.3z' };

export function Settings() {
  return (
    <div className="page" data-testid="page-settings">
      <div className="settings-grid">
        <NodeOptions />
        <GeneralSettings />
        <DataDirMove />
        <Diagnostics />
        <RerunFirstRunCard />
        <GrafanaSettings />
      </div>
      <BackupSchedule />
    </div>
  );
}
