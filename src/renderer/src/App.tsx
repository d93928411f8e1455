/** Root: live subscriptions, the shell, the current page and the wallet drawer. */
import { useLiveData } from './api/live';
import { Shell } from './components/Shell';
import { Logs } from './pages/Logs';
import { Overview } from './pages/Overview';
import { useUi } from './store/ui';
import { WalletDrawer } from './wallet/WalletDrawer';

export function App() {
  useLiveData();
  const page = useUi((s) => s.page);
  return (
    <>
      <Shell>{page === 'overview' ? <Overview /> : <Logs />}</Shell>
      <WalletDrawer />
    </>
  );
}
