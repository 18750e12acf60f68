import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useMemo,
  useState,
} from 'react';

type Refresh = { generation: number; refresh: () => void };

const RefreshContext = createContext<Refresh>({
  generation: 0,
  refresh: () => {},
});

/**
 * Lets an action in one panel (a deployment, a finished run, a new drift
 * report) reload every panel of the health tab, the status header included.
 */
export const HealthRefreshProvider = (props: { children: ReactNode }) => {
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration(g => g + 1), []);
  const value = useMemo(() => ({ generation, refresh }), [generation, refresh]);
  return (
    <RefreshContext.Provider value={value}>
      {props.children}
    </RefreshContext.Provider>
  );
};

export function useHealthRefresh(): Refresh {
  return useContext(RefreshContext);
}
