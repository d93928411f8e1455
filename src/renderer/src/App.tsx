/** Root: live subscriptions, the shell, the current page, the wallet drawer and governor notifications. */
import { useLiveData } from './api/live';
import { Shell } from './components/Shell';
import { useGovernorLive } from './governor/live';
import { GovernorToasts } from './governor/Toasts';
import { Governor } from './pages/Governor';
import { Logs } from './pages/Logs';
import { Network } from './pages/Network';
import { useNetworkLive } from './network/live';
import { Overview } from './pages/Overview';
import { useUi } from './store/ui';
import { WalletDrawer } from './wallet/WalletDrawer';

export function App() {
  useLiveData();
  useNetworkLive();
  useGovernorLive();
  const page = useUi((s) => s.page);
  return (
    <>
      <Shell>{page === 'overview' ? <Overview /> : page === 'network' ? <Network /> : page === 'governor' ? <Governor /> : <Logs />}</Shell>
      <WalletDrawer />
      <GovernorToasts />
    </>
  );
}
