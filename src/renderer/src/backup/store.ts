/**
 * Backup & Restore UI state (zustand): the latest state of each snapshot job (from
 * `snapshots.progress`), the console's restore (from `app.restore`), scheduled-backup failure
 * notifications (from `snapshots.scheduled`), and the folder last used (kept in localStorage so
 * the restore wizard starts where the last backup went).
 */
import { create } from 'zustand';
import type { RestoreProgress, ScheduleRun, SnapshotJob } from '../../../shared/api/snapshots';

const FOLDER_KEY = 'tb.backup.folder';
const DISMISSED_KEY = 'tb.backup.dismissedRestoreNotice';

function load(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}
function save(key: string, v: string): void {
  try {
    localStorage.setItem(key, v);
  } catch {
    /* storage unavailable: keep it for this session only */
  }
}

interface BackupState {
  jobs: Record<string, SnapshotJob>;
  restore: RestoreProgress | null;
  failures: ScheduleRun[];
  folder: string;
  /** at_ms of the rolled-back restore notice the operator dismissed. */
  dismissedNotice: number;
  onJob(j: SnapshotJob): void;
  onRestore(p: RestoreProgress): void;
  onScheduled(r: ScheduleRun): void;
  dismissFailure(at: number): void;
  setFolder(f: string): void;
  dismissNotice(at: number): void;
}

export const useBackup = create<BackupState>((set) => ({
  jobs: {},
  restore: null,
  failures: [],
  folder: load(FOLDER_KEY),
  dismissedNotice: Number(load(DISMISSED_KEY)) || 0,
  onJob: (j) => set((s) => ({ jobs: { ...s.jobs, [j.job_id]: j } })),
  onRestore: (restore) => set({ restore }),
  onScheduled: (r) => set((s) => (r.ok ? s : { failures: [...s.failures.filter((f) => f.at_ms !== r.at_ms), r].slice(-3) })),
  dismissFailure: (at) => set((s) => ({ failures: s.failures.filter((f) => f.at_ms !== at) })),
  setFolder: (folder) => {
    save(FOLDER_KEY, folder);
    set({ folder });
  },
  dismissNotice: (at) => {
    save(DISMISSED_KEY, String(at));
    set({ dismissedNotice: at });
  },
}));

/** Where backups go by default: `<folder of the data roots>/backups`, beside the data and outside it (#19). */
export function backupsBeside(dataDir: string): string {
  return `${dataDir.replace(/[\\/][^\\/]+[\\/]?$/, '')}/backups`;
}
