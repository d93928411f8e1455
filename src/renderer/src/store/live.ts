/** Live host state (zustand): the supervisor state pushed on `app.supervisor`, and the bridge connection. */
import { create } from 'zustand';
import type { SupervisorState } from '../../../shared/api/app';
import type { ConnectionState } from '../transport';

interface LiveState {
  supervisor: SupervisorState | null;
  connection: ConnectionState;
  setSupervisor(s: SupervisorState): void;
  setConnection(c: ConnectionState): void;
}

export const useLive = create<LiveState>((set) => ({
  supervisor: null,
  connection: 'connecting',
  setSupervisor: (supervisor) => set({ supervisor }),
  setConnection: (connection) => set({ connection }),
}));
