import type { ReactElement } from 'react';
import type { NavGroup } from '../../layout/nav.js';

/** The console's documents and access section: its navigation group and its routes. */
export const documentsNavGroup: NavGroup = { heading: 'Documents and access', items: [] };

export const documentsRoutes: ReactElement[] = [];
