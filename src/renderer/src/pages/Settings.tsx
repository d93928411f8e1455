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
import '../desktop/desktop.css';

/** The page's icon in the navigation (pages/registry.ts). */

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
