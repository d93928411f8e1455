/** Root: live subscriptions, the shell, the current page, the wallet drawer, governor and backup notifications, the notification center's toasts. */
import { Suspense } from 'react';
import { useLiveData } from './api/live';
import { BackupToasts } from './backup/Notices';
import { useDesktopLive } from './desktop/live';
import { NotificationToasts } from './desktop/NotificationCenter';
import { Shell } from './components/Shell';
import { GovernorToasts } from './governor/Toasts';
import { pageEntry, usePageLiveHooks } from './pages/registry';
import { useUi } from './store/ui';
import { WalletDrawer } from './wallet/WalletDrawer';
import { FirstRunGate } from './first-run/FirstRun';

export function App() {
  useLiveData();
  usePageLiveHooks();
  // Notification center and theme (both modes, every page).
  useDesktopLive();
  const { Page } = pageEntry(useUi((s) => s.page));
  return (
    <>
      <Shell>
        {/* Pages other than the Overview load on first show (pages/registry.ts). */}
        <Suspense fallback={<p className="muted" role="status" data-testid="page-loading">Loading…</p>}>
          <Page />
        </Suspense>
      </Shell>
      <WalletDrawer />
      <GovernorToasts />
      <BackupToasts />
      <NotificationToasts />
      <FirstRunGate />
    </>
  );
}
