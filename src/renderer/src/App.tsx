/** Root: live subscriptions, the shell, the current page, the wallet drawer, governor and backup notifications. */
import { useLiveData } from './api/live';
import { useBackupLive } from './backup/live';
import { BackupToasts } from './backup/Notices';
import { Shell } from './components/Shell';
import { useGovernorLive } from './governor/live';
import { GovernorToasts } from './governor/Toasts';
import { Backup } from './pages/Backup';
import { Deadlines } from './pages/Deadlines';
import { useDesktopLive } from './desktop/live';
import { NotificationToasts } from './desktop/NotificationCenter';
import { Governor } from './pages/Governor';
import { Logs } from './pages/Logs';
import { Network } from './pages/Network';
import { useNetworkLive } from './network/live';
import { Overview } from './pages/Overview';
import { Settings } from './pages/Settings';
import { useUi } from './store/ui';
import { WalletDrawer } from './wallet/WalletDrawer';

export function App() {
  useLiveData();
  useNetworkLive();
  useGovernorLive();
  useBackupLive();
  useDesktopLive();
  const page = useUi((s) => s.page);
  return (
    <>
      <Shell>
        {page === 'overview' ? <Overview /> : page === 'network' ? <Network /> : page === 'governor' ? <Governor /> : page === 'deadlines' ? <Deadlines /> : page === 'backup' ? <Backup /> : page === 'settings' ? <Settings /> : <Logs />}
      </Shell>
      <WalletDrawer />
      <GovernorToasts />
      <BackupToasts />
      <NotificationToasts />
    </>
  );
}
