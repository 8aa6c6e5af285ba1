import { useCallback, useEffect, useState } from 'react';
import { listDefinitions, listVersions } from '../api/endpoints';
import type { DefinitionResponse, DefinitionVersion } from '../api/types';

/** The stored definitions, and the versions of the one being edited. */
export function useStoredDefinitions(enabled: boolean, currentId: string | null) {
  const [definitions, setDefinitions] = useState<DefinitionResponse[]>([]);
  const [versions, setVersions] = useState<DefinitionVersion[]>([]);

  const refresh = useCallback(async () => {
    if (!enabled) return;
    setDefinitions(await listDefinitions());
    setVersions(currentId ? await listVersions(currentId).catch(() => []) : []);
  }, [enabled, currentId]);

  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [refresh]);

  return { definitions, versions, refresh };
}
