import { useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../api/client';
import { listActivities } from '../api/endpoints';
import type { ActivityDescriptor } from '../api/types';

/** The server's activity catalog, loaded once. */
export function useCatalog(enabled: boolean) {
  const [activities, setActivities] = useState<ActivityDescriptor[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!enabled) return;
    listActivities().then(setActivities, setError);
  }, [enabled]);
  const byType = useMemo(() => new Map(activities.map((a) => [a.type, a])), [activities]);
  return { activities, byType, error, errorText: error ? errorMessage(error) : null };
}
