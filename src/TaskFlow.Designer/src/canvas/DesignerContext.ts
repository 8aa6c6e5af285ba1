import { createContext, useContext } from 'react';
import type { ActivityDescriptor } from '../api/types';
import type { Problem } from '../mapping/problems';
import type { OverlayState } from '../run/nodeStatus';

/** What nodes draw besides their own definition: the catalog, server problems and a run's states. */
export interface DesignerView {
  activities: ReadonlyMap<string, ActivityDescriptor>;
  problems: ReadonlyMap<string, Problem[]>;
  states: ReadonlyMap<string, OverlayState> | null;
  /** While a run is shown: the node whose details are open (clicked on the canvas or in the timeline). */
  focused: string | null;
}

export const DesignerContext = createContext<DesignerView>({ activities: new Map(), problems: new Map(), states: null, focused: null });

export const useDesignerView = () => useContext(DesignerContext);
