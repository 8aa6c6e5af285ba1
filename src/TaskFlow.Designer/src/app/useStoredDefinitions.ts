import { useCallback, useEffect, useState } from 'react';
import { listDefinitions, listSamples, listVersions } from '../api/endpoints';
import type { DefinitionResponse, DefinitionVersion, SampleSummary } from '../api/types';

/** The stored definitions, the versions of the one being edited, and the server's samples. */
export function useStoredDefinitions(enabled: boolean, currentId: string | null) {
  const [definitions, setDefinitions] = useState<DefinitionResponse[]>([]);
  const [versions, setVersions] = useState<DefinitionVersion[]>([]);
  const [samples, setSamples] = useState<SampleSummary[]>([]);
  // False until the first list arrived: an empty server is told apart from one still answering.
  const [loaded, setLoaded] = useState(false);

  const refresh = useCallback(async () => {
    if (!enabled) return;
    setDefinitions(await listDefinitions());
    setLoaded(true);
    setVersions(currentId ? await listVersions(currentId).catch(() => []) : []);
  }, [enabled, currentId]);

  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [refresh]);

  useEffect(() => {
    if (enabled) listSamples().then(setSamples, () => setSamples([]));
  }, [enabled]);

  return { definitions, versions, samples, loaded, refresh };
}
