import { createContext } from 'react';
import type { ScopeTree } from './templateScope';

/** What templates in the open workflow can name (see templateScope); the designer provides it. */
export const TemplateScopeContext = createContext<ScopeTree>({});
