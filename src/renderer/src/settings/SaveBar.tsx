/** Save / discard for the settings form, with "restart the node to apply" when node options changed. */
import { useState } from 'react';
import { call } from '../api/client';
import { ErrorNote } from '../components/ErrorNote';
import type { SettingsForm } from './form';

export function SaveBar({ f, testId, restart }: { f: SettingsForm; testId: string; restart?: boolean }) {
  const [restarting, setRestarting] = useState(false);
  const [restartError, setRestartError] = useState<unknown>();
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
          disabled={!f.dirty || f.saving}
          onClick={() => void f.save()}
          data-testid={`${testId}-save`}
        >
          {f.saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </>
  );
}
