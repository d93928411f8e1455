/** Root: live subscriptions, the shell, the current page, the wallet drawer, governor and backup notifications. */
import { useLiveData } from './api/live';
import { BackupToasts } from './backup/Notices';
import { Shell } from './components/Shell';
import { GovernorToasts } from './governor/Toasts';
import { pageEntry, usePageLiveHooks } from './pages/registry';
import { useUi } from './store/ui';
import { WalletDrawer } from './wallet/WalletDrawer';
import { FirstRunGate } from './first-run/FirstRun';

export function App() {
  useLiveData();
  usePageLiveHooks();
  const { Page } = pageEntry(useUi((s) => s.page));
  return (
    <>
      <Shell>
        <Page />
      </Shell>
      <WalletDrawer />
      <GovernorToasts />
      <BackupToasts />
      <FirstRunGate />
    </>
  );
}
