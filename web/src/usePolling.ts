import { useEffect, useRef, useState } from 'react';

/**
 * Loads now and every `ms` while the page is visible; keeps the last good data on a failed refresh
 * (the error is shown next to it) so the screen never blanks out.
 */
export function usePolling<T>(load: () => Promise<T>, ms: number) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const alive = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is how reload() asks for a fresh load
  useEffect(() => {
    alive.current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const d = await load();
        if (!alive.current) return;
        setData(d);
        setError(undefined);
      } catch (e) {
        if (alive.current) setError(e);
      }
      if (alive.current && ms > 0) timer = setTimeout(run, document.hidden ? ms * 5 : ms);
    };
    void run();
    return () => {
      alive.current = false;
      if (timer) clearTimeout(timer);
    };
  }, [load, ms, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
