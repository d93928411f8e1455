/**
 * Save / discard for the settings form, with "restart the node to apply" when node options
 * changed. A port the edit sets that another program holds (the live check's "in use") is named
 * here at Save, and saving it takes a second click, "Save anyway": the node would fail to start.
 */
import { useState } from 'react';
import { PORT_KEYS, portToCheck } from '../../../shared/api/settings-rules';
import { call } from '../api/client';
import { ErrorNote } from '../components/ErrorNote';
import type { SettingsForm } from './form';

/** Warnings for the edited ports another program holds (a port the node itself uses is not one). */
async function busyPorts(f: SettingsForm): Promise<string[]> {
  const patch = f.patch();
  const base = f.view?.settings;
  if (!base) return [];
  const ports = PORT_KEYS.filter((k) => k in patch)
    .map((k) => portToCheck(base, patch, k))
    .filter((p): p is number => p !== null);
  const checks = await Promise.all(ports.map((port) => call('app.portFree', { port }).catch(() => null)));
  return checks
    .filter((r) => r && !r.free && !r.used_by_node)
    .map((r) => `${r!.detail}: the node will fail to start on it.`);
}

export function SaveBar({ f, testId, restart }: { f: SettingsForm; testId: string; restart?: boolean }) {
  const [restarting, setRestarting] = useState(false);
  const [restartError, setRestartError] = useState<unknown>();
  const [checking, setChecking] = useState(false);
  // The warnings shown for one edit (the patch they were found for): another edit asks again.
  const [warned, setWarned] = useState<{ patch: string; lines: string[] }>();
  const patchKey = JSON.stringify(f.patch());
  const warning = warned && warned.patch === patchKey && f.dirty ? warned.lines : undefined;
  const save = async () => {
    if (!warning) {
      setChecking(true);
      const lines = await busyPorts(f).finally(() => setChecking(false));
      if (lines.length) {
        setWarned({ patch: patchKey, lines });
        return;
      }
    }
    setWarned(undefined);
    await f.save();
  };
  const issues = Object.keys(f.issues).length;
  const fix = `${issues === 1 ? 'one value needs' : `${issues} values need`} fixing (shown next to the field${issues === 1 ? '' : 's'}).`;
  return (
    <>
      <ErrorNote error={f.error ?? restartError} testId={`${testId}-error`} />
      {issues > 0 && (
        <div className="field__error" data-testid={f.refused ? `${testId}-refused` : `${testId}-invalid`}>
          {f.refused ? `Not saved: ${fix}` : fix[0].toUpperCase() + fix.slice(1)}
        </div>
      )}
      {warning && (
        <div className="field__error" role="alert" data-testid={`${testId}-in-use`}>
          {warning.map((w) => (
            <div key={w}>{w}</div>
          ))}
        </div>
      )}
      <div className="row-actions">
        {f.saved && !f.dirty && (
          <span className="tone--ok small" data-testid={`${testId}-saved`}>
            Saved
          </span>
        )}
        {restart && f.view?.restart_needed && (
          <span className="restart-note small" data-testid="restart-needed">
            Node options apply at the next start.
            <button
              className="btn"
              disabled={restarting}
              onClick={async () => {
                setRestarting(true);
                setRestartError(undefined);
                try {
                  await call('app.restartNode', {});
                } catch (e) {
                  setRestartError(e);
                } finally {
                  setRestarting(false);
                }
              }}
              data-testid="restart-node"
            >
              {restarting ? 'Restarting…' : 'Restart node now'}
            </button>
          </span>
        )}
        <button
          className="btn btn--ghost"
          disabled={!f.dirty || f.saving}
          onClick={f.reset}
          data-testid={`${testId}-discard`}
        >
          Discard
        </button>
        <button
          className="btn btn--primary"
          disabled={!f.dirty || f.saving || checking}
          onClick={() => void save()}
          data-testid={`${testId}-save`}
        >
          {f.saving ? 'Saving…' : warning ? 'Save anyway' : 'Save'}
        </button>
      </div>
    </>
  );
}
