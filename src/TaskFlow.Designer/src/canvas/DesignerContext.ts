import { createContext, useContext } from 'react';
import type { ActivityDescriptor } from '../api/types';
import type { Problem } from '../mapping/problems';
import type { OverlayState } from '../run/nodeStatus';

/** What nodes draw besides their own definition: the catalog, server problems and a run's states. */
export interface DesignerView {
  activities: ReadonlyMap<string, ActivityDescriptor>;
  problems: ReadonlyMap<string, Problem[]>;
  states: ReadonlyMap<string, OverlayState> | null;
}

export const DesignerContext = createContext<DesignerView>({ activities: new Map(), problems: new Map(), states: null });

export const useDesignerView = () => useContext(DesignerContext);
